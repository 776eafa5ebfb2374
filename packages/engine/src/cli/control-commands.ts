import { EXIT_CODES, exitCodeForError } from './exit-codes.js';

/** Where `serve` listens when neither --server nor RAPIDBYTE_SERVER_URL says otherwise. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:7878';

export interface ControlOptions {
  /** `--server <url>`; else RAPIDBYTE_SERVER_URL, else the default listen address. */
  readonly server?: string;
  readonly json?: boolean;
}

interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One POST to a running serve, with RAPIDBYTE_API_TOKEN as the bearer token. */
async function post(opts: ControlOptions, path: string, body: unknown): Promise<ApiAnswer> {
  const base = (opts.server ?? process.env.RAPIDBYTE_SERVER_URL ?? DEFAULT_SERVER_URL).replace(/\/+$/, '');
  const token = process.env.RAPIDBYTE_API_TOKEN;
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body ?? {}),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw Object.assign(new Error(`no rapidbyte serve answers at ${base} (${cause})`), { code: 'SERVE_UNREACHABLE' });
  }
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { error: text };
  }
  return { status: response.status, body: parsed };
}

function report(answer: ApiAnswer, opts: ControlOptions, ok: (body: Record<string, unknown>) => string): number {
  if (answer.status < 300) {
    process.stdout.write(`${opts.json ? JSON.stringify(answer.body, null, 2) : ok(answer.body)}\n`);
    return EXIT_CODES.ok;
  }
  const code = typeof answer.body.code === 'string' ? answer.body.code : 'SERVE_REQUEST_REFUSED';
  process.stderr.write(
    `rapidbyte: ${typeof answer.body.error === 'string' ? answer.body.error : `serve answered ${answer.status}`}\n`,
  );
  return exitCodeForError(code);
}

async function guarded(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    process.stderr.write(`rapidbyte: ${error instanceof Error ? error.message : String(error)}\n`);
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? exitCodeForError(code) : EXIT_CODES.failure;
  }
}

/** `rapidbyte trigger <pipeline> [--full-refresh] [--wait]`: a run now, through the running serve. */
export function triggerCommand(
  pipeline: string,
  opts: ControlOptions & { fullRefresh?: boolean; wait?: boolean },
): Promise<number> {
  return guarded(async () => {
    const answer = await post(opts, `/pipelines/${encodeURIComponent(pipeline)}/trigger`, {
      fullRefresh: opts.fullRefresh === true,
      wait: opts.wait === true,
    });
    const code = report(answer, opts, (b) =>
      opts.wait
        ? `${pipeline}: run ${String(b.runId ?? '-')} ${String(b.status)}`
        : `${pipeline}: triggered (workflow ${String(b.workflowId)})`,
    );
    if (code !== EXIT_CODES.ok || !opts.wait) return code;
    const status = answer.body.status;
    return status === 'succeeded'
      ? EXIT_CODES.ok
      : status === 'cancelled'
        ? EXIT_CODES.interrupted
        : status === 'partial'
          ? EXIT_CODES.partialFailure
          : EXIT_CODES.failure;
  });
}

/** `rapidbyte pause|resume <pipeline>`: persisted in the state DB, so it outlives a serve restart. */
export function pauseCommand(pipeline: string, paused: boolean, opts: ControlOptions): Promise<number> {
  return guarded(async () =>
    report(
      await post(opts, `/pipelines/${encodeURIComponent(pipeline)}/${paused ? 'pause' : 'resume'}`, {}),
      opts,
      () => `${pipeline}: ${paused ? 'paused' : 'resumed'}`,
    ),
  );
}

/** `rapidbyte stop <run>`: the run's streams drain to their last checkpoint, like SIGINT on `run`. */
export function stopCommand(runId: string, opts: ControlOptions): Promise<number> {
  return guarded(async () =>
    report(
      await post(opts, `/runs/${encodeURIComponent(runId)}/stop`, {}),
      opts,
      (b) => `run ${runId} of ${String(b.pipeline)}: stopping (draining to the last checkpoint)`,
    ),
  );
}

/** `rapidbyte reload`: the running serve reloads its project (like SIGHUP). */
export function reloadCommand(opts: ControlOptions): Promise<number> {
  return guarded(async () =>
    report(
      await post(opts, '/reload', {}),
      opts,
      (b) => `reloaded: ${(b.pipelines as string[] | undefined)?.join(', ') ?? ''}`,
    ),
  );
}
