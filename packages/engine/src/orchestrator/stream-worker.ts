import './worker-navigator-first.js';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Operation, WitConnectorError } from '@rapidbyte/sdk/contract';
import { classifyError } from '../errors/classify-error.js';
import { instantiateConnector, type ConnectorExports, type GuestAllocations } from '../runtime/connector-instance.js';
import {
  bindFor,
  ConnectorInstanceCache,
  type InstanceKey,
  type ReusableConnector,
} from '../runtime/connector-instance-cache.js';
import { FrameChannel } from '../runtime/frame-channel.js';
import { frameBatch, type Frame } from '../runtime/copy-rows-frame.js';
import { FrameTable } from '../runtime/frame-table.js';
import type { InstanceHooks } from '../runtime/host-imports.js';
import { NetCapability } from '../runtime/net-capability.js';
import { PgCapability } from '../runtime/pg-capability.js';
import { MEMORY_REPORT_MS, memoryReport } from '../runtime/memory-report.js';
import { RequestDispatcher } from '../runtime/request-dispatcher.js';
import { ReplicationCapability } from '../cdc/replication-capability.js';
import { runSession, SessionFailed } from '../runtime/run-session.js';
import { StepClock } from '../runtime/step-clock.js';
import { ExternalWaits } from '../runtime/external-waits.js';
import { stepGuard } from '../runtime/step-guard.js';
import { drainToDrySink } from './dry-run-sink.js';
import { RowLimit, RowLimitReached } from './row-limit.js';
import type {
  StageTask,
  StreamCounters,
  StreamTask,
  StreamWorkerData,
  WorkerControl,
  WorkerMessage,
} from './stream-task.js';
import { DEFAULT_WORKER_SWITCHES } from './engine-options.js';
import { describeSchemaChange } from './describe-schema-change.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { ConnectorMetrics } from './connector-metrics.js';

/** The interrupt state of a worker, as the main thread set it. */
/** Waits until the main thread stored the dead letters posted so far (`dead-letters-flush`). */
interface DeadLetterFlush {
  flush(): Promise<void>;
}

interface CancelState {
  /** First signal: drain (sources see `isCancelled()`). */
  requested(): boolean;
  /** The drain's grace period ran out (or a drain is impossible): stop every stage at its next step. */
  hard(): boolean;
}

/**
 * Runs one stream's chain inside this worker thread: every stage is a component instance; they
 * share the thread and are connected by bounded in-memory frame channels (Arrow batches move by
 * reference, never re-encoded).
 */
async function runStream(
  task: StreamTask,
  post: (m: WorkerMessage) => void,
  cancel: CancelState,
  deadLetters: DeadLetterFlush,
  instances: ConnectorInstanceCache | undefined,
): Promise<void> {
  const frames = new FrameTable();
  const dryRun = task.dryRun !== undefined;
  // a dry run has no destination component: a built-in sink consumes the last stage's channel
  const stages = dryRun ? [task.source, ...task.transforms] : [task.source, ...task.transforms, task.destination];
  const channels = (dryRun ? stages : stages.slice(1)).map(() => new FrameChannel(task.channelCapacity));
  const limit = task.dryRun?.limit !== undefined ? new RowLimit(task.dryRun.limit) : undefined;
  const sunk = { rows: 0, frames: 0, checkpoints: 0 };
  // off: decode and re-encode every COPY frame; ask every sslmode=prefer server for TLS first (to measure what each saves)
  const { copyPassthrough, rememberTlsRefusal } = { ...DEFAULT_WORKER_SWITCHES, ...task.switches };
  const pgs = stages.map(
    (s) => new PgCapability(s.policy, frames, task.resources.maxBatchBytes, { copyPassthrough, rememberTlsRefusal }),
  );
  const nets = stages.map((s) => new NetCapability(s.policy));
  const counters: StreamCounters = { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 };
  // each stage's `metric()` calls, posted with the progress (one sample per name, not one message per call)
  const metrics = stages.map(() => new ConnectorMetrics());
  const postMetrics = (): void => {
    metrics.forEach((m, i) => {
      const samples = m.flush();
      const stage = stages[i] as StageTask;
      if (samples.length > 0) post({ type: 'metrics', stage: `${stage.role}:${stage.component.connector}`, samples });
    });
  };
  // the main thread terminates this worker when a stage stays inside one step past the timeout
  const clock = task.stepClock ? new StepClock(task.stepClock) : undefined;
  // the stall watchdog tells a stage waiting on its database from one that hangs
  const waits = task.waitClock ? new ExternalWaits(task.waitClock) : undefined;
  let sourceRows = 0;
  // what the destination received, and which of it its commits cover (rows written = rows committed)
  const delivery = new DeliveryLedger();
  // Dead letters a source or transform posted since the state DB last confirmed storing them.
  // The destination is handed a checkpoint marker only once they are stored: its COMMIT follows
  // the marker and covers (moves the watermark past) the rows those letters stand for, so a crash
  // between that COMMIT and the main thread's write would otherwise lose them for good.
  let upstreamLettersUnflushed = 0;
  // streams with transforms or a skip/dlq destination report what their data-error policy dropped
  const rejects =
    task.transforms.length > 0 || task.onDataError !== 'fail' ? { skipped: 0, deadLettered: 0 } : undefined;
  // cdc: the source's view of the main thread's replication hub
  const replication = task.replicationPort
    ? new ReplicationCapability(
        task.replicationPort,
        task.source.policy,
        frames,
        task.resources.maxBatchBytes,
        (pgs[0] as PgCapability).traffic,
        task.switches?.streamTransactions !== false,
      )
    : undefined;
  // A batch stream drains on the first signal: its source stops at the next checkpoint boundary
  // (it sees `isCancelled()`), the destination commits what it got up to the last checkpoint. A
  // replace stream cannot drain (one staging transaction: half a table must never be swapped in),
  // a CDC snapshot is not chunked for it: those stop at once and roll back.
  const drainable = task.stream.syncMode !== 'cdc' && task.stream.writeMode !== 'replace';
  /** Interrupted: stop at the next step, unless draining; a streaming CDC stream drains to a transaction boundary first. */
  const stopNow = (): boolean => cancel.requested() && (cancel.hard() || !drainable) && !replication?.streaming;
  const baseContext = {
    pipeline: task.pipeline,
    runId: task.runId,
    stream: task.stream,
    resources: task.resources,
    onDataError: task.onDataError,
    attempt: task.attempt,
    isolateRows: task.isolateRows === true,
    ignoreWatermark: task.ignoreWatermark,
  };
  // The destination reports its committed watermark (`checkpoint('resume', …)`) before it reads;
  // the source starts only then, from that point (the watermark commits with the data, so it
  // wins over the state DB's copy, which may lag after a crash).
  let openGate: (payload: string | null) => void = () => undefined;
  const gate = new Promise<string | null>((resolve) => (openGate = resolve));
  const destinationIndex = dryRun ? -1 : stages.length - 1;
  if (dryRun)
    openGate(null); // no destination watermark: the source resumes from the state DB's checkpoint, if any
  // replace rebuilds the table and a reset stream ignores its watermark: the destination can only
  // answer null, so the source need not wait for it (it would wait out the destination's connect)
  else if (task.resumeGate !== 'always' && (task.stream.writeMode === 'replace' || task.ignoreWatermark))
    openGate(null);
  /** The first stage failure; other stages then fail only because their channel was closed. */
  let rootFailure: (Error & { wit: WitConnectorError; stage: string }) | undefined;
  let lastProgress = 0;
  /** A checkpoint was committed in this attempt (a guest may then be recycled: see stepGuard). */
  let committedThisAttempt = false;
  let commitsThisAttempt = 0;
  /** Bytes sent to the destination so far (COPY data). */
  const destinationBytes = (): number => (destinationIndex < 0 ? 0 : (pgs[destinationIndex]?.traffic.bytesIn ?? 0));
  /** Posts the counters at most every 250 ms; `immediately` posts them at once (before a committed checkpoint, so the host records what it covers). */
  const progress = (immediately = false): void => {
    // rows the source emitted: COPY-decoded, CDC change frames and frames the guest built itself alike
    counters.rowsRead = limit ? limit.passed : sourceRows;
    if (rejects) {
      counters.rowsSkipped = rejects.skipped;
      counters.rowsDeadLettered = rejects.deadLettered;
    }
    counters.bytesRead = pgs[0]?.traffic.bytesOut ?? 0;
    const delivered = delivery.counts;
    counters.rowsWritten = delivered.rowsCommitted;
    counters.bytesWritten = delivered.bytesCommitted;
    const now = performance.now();
    if (immediately || now - lastProgress > 250) {
      lastProgress = now;
      post({ type: 'progress', counters: { ...counters }, rowsUncommitted: delivered.rowsUncommitted });
      postMetrics();
    }
  };

  // each stage's guest linear memories, for the periodic `memory` debug line
  const guests = new Map<string, { memories: WebAssembly.Memory[]; allocations: GuestAllocations }>();
  const memoryTimer = setInterval(
    () => post({ type: 'log', stage: 'engine', level: 'debug', message: memoryReport(guests, frames.size) }),
    MEMORY_REPORT_MS,
  );
  memoryTimer.unref();

  /** The instances this stream took from `instances`. */
  const taken: { key: InstanceKey; instance: ReusableConnector }[] = [];
  const runStage = async (index: number): Promise<void> => {
    const stage = stages[index] as StageTask;
    const name = `${stage.role}:${stage.component.connector}`;
    const output = channels[index];
    const input = index > 0 ? channels[index - 1] : undefined;
    const kv = new Map(Object.entries(stage.state));
    const hooks: InstanceHooks = {
      log: (level, message) => post({ type: 'log', stage: name, level, message }),
      metric: (metricName, value) => {
        const refused = metrics[index]?.record(metricName, value);
        if (refused !== undefined) post({ type: 'log', stage: name, level: 'warn', message: refused });
      },
      checkpoint: (kind, payload) => {
        if (output) output.push({ kind: 'checkpoint', payload });
        else if (kind === 'resume') openGate(payload === 'null' ? null : payload);
        else {
          if (kind === 'committed') {
            committedThisAttempt = true;
            commitsThisAttempt += 1;
            replication?.committed(payload);
            delivery.committed(payload, destinationBytes());
            progress(true);
          }
          post({ type: 'checkpoint', stage: name, kind, payload });
        }
      },
      emit: (batch: Frame) => {
        if (!output) throw new Error(`${name}: a destination cannot emit frames`);
        // a dry run's row limit slices the frame: that needs its values
        const passed = index === 0 && limit ? limit.take(frameBatch(batch)) : batch;
        if (passed) output.push({ kind: 'frame', batch: passed });
        if (index === 0 && passed) sourceRows += passed.numRows;
        progress();
      },
      stateGet: (key) => kv.get(key),
      statePut: (key, value) => {
        kv.set(key, value);
        post({ type: 'state-put', stage: name, slot: index, key, value });
      },
      stateCas: (key, expected, value) => {
        if (kv.get(key) !== expected) return false;
        kv.set(key, value);
        post({ type: 'state-put', stage: name, slot: index, key, value });
        return true;
      },
      deadLetter: (record, error, category) => {
        if (rejects) rejects.deadLettered += 1;
        if (index === destinationIndex) delivery.rejected(1);
        else upstreamLettersUnflushed += 1;
        post({ type: 'dead-letter', stage: name, record, error, category });
      },
      isCancelled: () => cancel.requested(),
    };
    const op: Operation = stage.role === 'source' ? 'read' : stage.role === 'destination' ? 'write' : 'transform';
    try {
      let memories: WebAssembly.Memory[] = [];
      let allocations: GuestAllocations = { arguments: 0, importResults: 0 };
      let exports: ConnectorExports;
      if (instances) {
        // the worker's instance for this config and these permissions (other streams may be using it too)
        const key: InstanceKey = {
          role: stage.role,
          component: stage.component,
          configJson: stage.configJson,
          policy: stage.policy,
        };
        const instance = await instances.take(key);
        taken.push({ key, instance });
        ({ memories, allocations } = instance);
        exports = bindFor(instance, { frames, hooks });
      } else {
        exports = await instantiateConnector(stage.component, frames, hooks, memories, allocations);
      }
      guests.set(name, { memories, allocations });
      const guard = stepGuard(
        name,
        index,
        clock,
        memories,
        task.resources.connectorMemoryBytes,
        () => committedThisAttempt,
      );
      const upstream = input
        ? {
            next: async () => {
              if (index !== destinationIndex) return input.next();
              openGate(null); // asked for data: it has no watermark
              const item = await input.next();
              if (item.kind === 'frame') delivery.frame(item.batch.numRows);
              else if (item.kind === 'checkpoint') {
                if (upstreamLettersUnflushed > 0) {
                  const flushing = upstreamLettersUnflushed;
                  await deadLetters.flush();
                  upstreamLettersUnflushed -= flushing;
                }
                delivery.marker(item.payload);
              }
              return item;
            },
          }
        : undefined;
      const dispatcher = new RequestDispatcher(
        pgs[index] as PgCapability,
        nets[index] as NetCapability,
        frames,
        upstream,
        index === 0 ? replication : undefined,
        index === destinationIndex ? deadLetters : undefined,
      );
      let context = JSON.stringify(baseContext);
      if (index === 0) {
        const watermark = await gate;
        const resume = watermark !== null ? (JSON.parse(watermark) as unknown) : task.storedResume;
        // the destination holds nothing of the stream (its table was dropped or emptied): the state DB's point is not used
        const startOver =
          (resume as { mode?: unknown; reason?: unknown } | null | undefined)?.mode === 'none'
            ? (resume as { reason?: unknown }).reason
            : undefined;
        if (startOver !== undefined && task.storedResume) {
          post({
            type: 'log',
            stage: 'engine',
            level: 'warn',
            message: `${task.stream.name}: ${String(startOver)}: starting from the beginning, not from the state DB's resume point`,
          });
        }
        context = JSON.stringify({ ...baseContext, resume: resume ?? null });
        post({
          type: 'resume',
          source: watermark !== null ? 'destination' : task.storedResume ? 'state' : 'none',
          payload: JSON.stringify(resume ?? null),
        });
        if (task.blockSourceAttempts !== undefined && task.attempt <= task.blockSourceAttempts)
          await new Promise<never>(() => undefined);
      }
      const tracked = waits ? waits.track(dispatcher, index) : dispatcher;
      const result = await runSession(
        exports,
        op,
        stage.configJson,
        context,
        tracked,
        async () => {
          if (index === 0 && task.holdSourceAfterCommits !== undefined)
            await holdUntilStop(task.holdSourceAfterCommits, () => commitsThisAttempt, cancel);
          // Interrupted: stop at the next step; open transactions roll back when the connections
          // close, and what the destination committed stays (the next run resumes from it).
          if (stopNow())
            throw Object.assign(new Error('interrupted (SIGINT/SIGTERM)'), { kind: 'permanent', code: 'CANCELLED' });
          if (index === 0 && limit?.reached) throw new RowLimitReached(limit.limit);
          if (output) await output.ready();
          progress();
        },
        guard,
      );
      const report = result as { rows?: unknown; rejected?: unknown; policy?: unknown; schemaChanges?: unknown } | null;
      if (rejects && stage.role !== 'source' && report?.policy === 'skip' && typeof report.rejected === 'number')
        rejects.skipped += report.rejected;
      if (index === destinationIndex) {
        if (report?.policy === 'skip' && typeof report.rejected === 'number') delivery.rejected(report.rejected);
        delivery.finished(typeof report?.rows === 'number' ? report.rows : undefined, destinationBytes());
      }
      if (stage.role === 'destination' && Array.isArray(report?.schemaChanges))
        counters.schemaChanges = report.schemaChanges.map(describeSchemaChange);
      output?.push({ kind: 'end' });
    } catch (error) {
      if (error instanceof RowLimitReached) {
        post({
          type: 'log',
          stage: name,
          level: 'info',
          message: `${task.stream.name}: dry run: stopped the source at the row limit (${error.limit})`,
        });
        output?.push({ kind: 'end' });
        return;
      }
      if (
        rootFailure &&
        (error === rootFailure || (error instanceof SessionFailed && error.error.message.includes(rootFailure.message)))
      ) {
        throw rootFailure;
      }
      const wit: WitConnectorError = error instanceof SessionFailed ? error.error : classifyError(error);
      const failure = Object.assign(new Error(wit.message), { wit, stage: name });
      rootFailure ??= failure;
      openGate(null);
      for (const channel of channels) channel.fail(failure);
      throw failure;
    } finally {
      await pgs[index]?.closeAll();
      nets[index]?.closeAll();
    }
  };

  const sink = dryRun
    ? drainToDrySink(channels[channels.length - 1] as FrameChannel, sunk).catch(() => undefined) // a failure is the failing stage's
    : Promise.resolve();
  await Promise.allSettled([...stages.map((_, i) => runStage(i)), sink]);
  clearInterval(memoryTimer);
  // after a failure the instances go to no further stream
  for (const { key, instance } of taken) instances?.give(key, instance, rootFailure !== undefined);
  replication?.close();
  progress();
  postMetrics();
  const root = rootFailure as (Error & { wit: WitConnectorError; stage: string }) | undefined;
  // what the destination received and no commit covers was rolled back with its transaction
  const rolledBack = delivery.counts.rowsUncommitted;
  post({
    type: 'done',
    counters: { ...counters, ...(rolledBack > 0 ? { rowsRolledBack: rolledBack } : {}) },
    error: root ? { ...root.wit, stage: root.stage } : undefined,
  });
}

/** The `hold-source-after-commits` fault: once `commits` checkpoints are committed, waits for a stop request. */
async function holdUntilStop(commits: number, committed: () => number, cancel: CancelState): Promise<void> {
  while (committed() >= commits && !cancel.requested()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Where a task's messages go and its controls come from: its own port, or the worker's (a task in `workerData`). */
type TaskPort = Pick<MessagePort, 'postMessage' | 'on' | 'off'>;

/**
 * Runs one task on its port. A worker runs task after task (a pool keeps it between streams) and
 * may run several at once (CDC streams of one source share a bounded set of workers): everything
 * a task holds — its component instances, connections, frames, cancel state — is its own and
 * dropped when it ends; only the compiled modules and the loaded bindings stay.
 */
function start(task: StreamTask, port: TaskPort, instances: ConnectorInstanceCache): void {
  let requested = false;
  let hard = false;
  const flushes = new Map<number, (ok: boolean) => void>();
  let nextFlush = 1;
  const onControl = (m: WorkerControl): void => {
    if (m.type === 'task' || m.type === 'preload') return;
    if (m.type === 'dead-letters-flushed') {
      flushes.get(m.id)?.(m.ok);
      flushes.delete(m.id);
      return;
    }
    requested = true;
    hard ||= m.hard;
  };
  port.on('message', onControl);
  const deadLetters: DeadLetterFlush = {
    flush: () =>
      new Promise<void>((resolve, reject) => {
        const id = nextFlush++;
        flushes.set(id, (ok) =>
          ok
            ? resolve()
            : reject(
                Object.assign(new Error('the dead letters could not be stored in the state DB'), {
                  kind: 'permanent',
                  code: 'STATE_WRITE_FAILED',
                }),
              ),
        );
        port.postMessage({ type: 'dead-letters-flush', id } satisfies WorkerMessage);
      }),
  };
  const reuse = task.switches?.reuseInstances !== false;
  runStream(
    task,
    (m) => port.postMessage(m),
    { requested: () => requested, hard: () => hard },
    deadLetters,
    reuse ? instances : undefined,
  )
    .catch((error: unknown) => {
      port.postMessage({
        type: 'done',
        counters: { rowsRead: 0, bytesRead: 0, rowsWritten: 0, bytesWritten: 0 },
        error: { ...classifyError(error), stage: 'host' },
      } satisfies WorkerMessage);
    })
    .finally(() => port.off('message', onControl));
}

if (parentPort) {
  const port = parentPort;
  const instances = new ConnectorInstanceCache();
  port.on('message', (m: WorkerControl) => {
    if (m.type === 'task') {
      start(m.task, m.port ?? port, instances);
      return;
    }
    if (m.type === 'preload') {
      // the task's instantiation then finds them in the module cache; a failure shows there
      for (const url of m.bindingsUrls) import(url).catch(() => undefined);
    }
  });
  // a warm or pooled worker (started before its task was known) waits for `task` messages
  const data = workerData as StreamWorkerData | null;
  if (data?.task) start(data.task, port, instances);
}
