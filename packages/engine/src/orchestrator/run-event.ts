import type { StreamCounters } from './stream-task.js';
import type { RunResult, StreamResult } from './run-result.js';
import type { ConnectorMetricSample } from './connector-metrics.js';

/** Typed events the engine emits while it works; the CLI renders them, libraries never print. */
export type RunEvent =
  | {
      readonly type: 'run-started';
      readonly runId: number;
      readonly pipeline: string;
      readonly streams: readonly string[];
    }
  | { readonly type: 'stream-started'; readonly stream: string; readonly attempt: number }
  /** `counters` of the running attempt; `rowsUncommitted`: rows its destination received since its last commit. */
  | {
      readonly type: 'stream-progress';
      readonly stream: string;
      readonly counters: StreamCounters;
      readonly rowsUncommitted?: number;
    }
  | { readonly type: 'stream-finished'; readonly result: StreamResult }
  /** A stage's connector reported metrics (`metric()` host calls, summed per name since the last such event). */
  | {
      readonly type: 'connector-metrics';
      readonly stream: string;
      readonly stage: string;
      readonly samples: readonly ConnectorMetricSample[];
    }
  | {
      readonly type: 'log';
      readonly stream?: string;
      readonly stage: string;
      readonly level: string;
      readonly message: string;
    }
  /**
   * The stall watchdog: the stream made no progress that it owed for `stall_timeout` and is
   * restarted from its last commit (`restart`), or failed (`fail`: a second stall in a row), or
   * waits on its database and is left alone (`waiting`, reported once per wait).
   */
  | {
      readonly type: 'stream-stalled';
      readonly stream: string;
      readonly action: 'restart' | 'fail' | 'waiting';
      readonly code: string;
      readonly message: string;
    }
  | { readonly type: 'run-finished'; readonly result: RunResult };

export type RunEventListener = (event: RunEvent) => void;
