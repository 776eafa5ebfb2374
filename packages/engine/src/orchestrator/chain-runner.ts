import type { StreamResult } from './run-result.js';
import { runStreamTask, type StreamTaskRun } from './run-stream-task.js';

/**
 * Runs one batch chain of a run — a stream, or one shard of a sharded stream (its
 * `task.stream.shard`) — and resolves its result, forwarding its events to `onEvent`. The run
 * keeps the `parallelism` permits, the run history of the stream and the shard plan; the runner
 * only decides where the chain runs. What a chain is must stay serialisable (`task.stream`, the
 * run id, `controls.fullRefresh`/`partOfStream`): a runner may rebuild the rest of the task from
 * the pipeline config on another machine. CDC streams never go through a runner: they stay beside
 * the run's replication hub.
 */
export interface ChainRunner {
  run(chain: StreamTaskRun): Promise<StreamResult>;
}

/** Today's path: the chain runs in a worker thread of this process. */
export const LOCAL_CHAINS: ChainRunner = { run: runStreamTask };
