import { DBOS } from '@dbos-inc/dbos-sdk';

/** What a durable pipeline run is asked to do; only names and flags (secrets never enter the workflow's recorded input). */
export interface RunRequest {
  readonly pipeline: string;
  /** The tick (or trigger time) it runs for, ISO 8601. */
  readonly tickAt: string;
  readonly fullRefresh: boolean;
}

/** How a durable run ended, as recorded by the workflow engine. */
export interface RunSummary {
  readonly pipeline: string;
  readonly runId?: number;
  /** The run's status, or `not-started` when it could not begin (locked, unknown pipeline, …). */
  readonly status: string;
  readonly error?: string;
}

/** Runs a pipeline in this process; the workflow's one step calls it. */
export type RunExecutor = (request: RunRequest, workflowId: string) => Promise<RunSummary>;

let executor: RunExecutor | undefined;
let registered: ((request: RunRequest) => Promise<RunSummary>) | undefined;

/**
 * The pipeline-run workflow: one step that runs the pipeline. A step whose process died before
 * it recorded its result runs again when the workflow is recovered: the engine's own checkpoints
 * make that a resume (the run left open is closed `interrupted` and the new one continues from
 * the last commit). Step retries stay off: the engine retries transient failures itself.
 */
function pipelineRunWorkflow(): (request: RunRequest) => Promise<RunSummary> {
  registered ??= DBOS.registerWorkflow(
    async (request: RunRequest): Promise<RunSummary> => {
      const workflowId = DBOS.workflowID ?? `${request.pipeline}@${request.tickAt}`;
      return DBOS.runStep(
        () => {
          if (executor === undefined)
            return Promise.resolve({
              pipeline: request.pipeline,
              status: 'not-started',
              error: 'serve is not running',
            });
          return executor(request, workflowId);
        },
        { name: 'run-pipeline' },
      );
    },
    { name: 'rapidbyte-pipeline-run' },
  );
  return registered;
}

export interface DurableRunsOptions {
  readonly systemDatabaseUrl: string;
  readonly version: string;
  readonly execute: RunExecutor;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

const text = (entry: unknown): string =>
  entry instanceof Error ? entry.message : typeof entry === 'string' ? entry : JSON.stringify(entry);

/**
 * Durable pipeline runs on DBOS Transact: each run is a workflow in the system database, keyed
 * by an id (`<pipeline>@<tick>`), so a tick runs once across processes and restarts, and a run
 * whose process died is recovered at the next launch. One per process (DBOS is process-global).
 */
export class DurableRuns {
  readonly #workflow: (request: RunRequest) => Promise<RunSummary>;

  private constructor(workflow: (request: RunRequest) => Promise<RunSummary>) {
    this.#workflow = workflow;
  }

  /** Registers the workflow and launches DBOS: this recovers the workflows this process's executor left pending. */
  static async launch(options: DurableRunsOptions): Promise<DurableRuns> {
    executor = options.execute;
    const workflow = pipelineRunWorkflow();
    const log = options.log;
    DBOS.setConfig({
      name: 'rapidbyte',
      systemDatabaseUrl: options.systemDatabaseUrl,
      applicationVersion: options.version,
      logger: {
        info: (e) => log('debug', text(e)),
        debug: (e) => log('debug', text(e)),
        warn: (e) => log('warn', text(e)),
        error: (e) => log('error', text(e)),
      },
    });
    await DBOS.launch();
    return new DurableRuns(workflow);
  }

  /** Whether a workflow with this id exists (the tick was already fired). */
  async exists(workflowId: string): Promise<boolean> {
    return (await DBOS.getWorkflowStatus(workflowId)) !== null;
  }

  /** Starts the run's workflow under `workflowId`; resolves with its summary when it ends. */
  async start(workflowId: string, request: RunRequest): Promise<{ readonly result: Promise<RunSummary> }> {
    const handle = await DBOS.startWorkflow(this.#workflow, { workflowID: workflowId })(request);
    return { result: handle.getResult() };
  }

  /** Stops the workflow engine (runs must have drained first). */
  async shutdown(): Promise<void> {
    executor = undefined;
    await DBOS.shutdown();
  }
}
