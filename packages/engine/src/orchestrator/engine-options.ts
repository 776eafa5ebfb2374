/**
 * Start-up and data-path switches of the stream workers. Each defaults to on; turning one off
 * exists to measure what it saves (the CLI reads them from `RAPIDBYTE_*` variables).
 */
export interface WorkerSwitches {
  /** COPY frames pass through without a decode and re-encode (off: `RAPIDBYTE_COPY_PASSTHROUGH=off`). */
  readonly copyPassthrough: boolean;
  /** A thread remembers a server's refusal of TLS under `sslmode=prefer` (off: `RAPIDBYTE_TLS_MEMO=off`). */
  readonly rememberTlsRefusal: boolean;
  /** Node 20 gets a `navigator` before `pg` loads, so `pg` skips loading undici (off: `RAPIDBYTE_NODE_NAVIGATOR=off`). */
  readonly nodeNavigator: boolean;
  /** A run keeps its stream workers between streams instead of one per attempt (off: `RAPIDBYTE_REUSE_WORKERS=off`). */
  readonly reuseWorkers: boolean;
  /**
   * A worker hands a connector instance to its next stream with the same component, config and
   * permissions instead of instantiating another (off: `RAPIDBYTE_REUSE_INSTANCES=off`).
   */
  readonly reuseInstances: boolean;
  /**
   * CDC sources on PostgreSQL 14+ stream large in-progress transactions (pgoutput protocol 2):
   * the changes arrive while the transaction runs and wait in a spool until its commit, instead
   * of after the server decoded it whole (off: `RAPIDBYTE_CDC_STREAMING=off`).
   */
  readonly streamTransactions: boolean;
}

export const DEFAULT_WORKER_SWITCHES: WorkerSwitches = {
  copyPassthrough: true,
  rememberTlsRefusal: true,
  nodeNavigator: true,
  reuseWorkers: true,
  reuseInstances: true,
  streamTransactions: true,
};

/**
 * Test-only faults (the CLI parses them from `RAPIDBYTE_TEST_FAULT`, see `parseTestFault`): each
 * opens one of the windows the recovery code exists for.
 */
export interface TestFaults {
  /** End the process right after the n-th destination commit, before the state DB records it. */
  readonly exitAfterCommit?: number;
  /** End the process the moment the n-th committed checkpoint of a stream attempt reaches the main thread. */
  readonly exitOnCommit?: number;
  /** End the process right after the n-th batch of dead letters is written (one counter per stream attempt). */
  readonly exitAfterDeadLetters?: number;
  /** A sharded stream waits this long after storing its plan, before the shards start. */
  readonly pauseAfterShardPlanMs?: number;
  /** A replication hub waits this long before it reads again for a stream that re-attached behind it. */
  readonly delayHubRestartMs?: number;
  /** The replication hub delivers nothing to the first `attaches` attachments of this CDC stream. */
  readonly muteHubStream?: { readonly stream: string; readonly attaches: number };
  /** The source stage of this stream blocks before its first step in its first `attempts` attempts. */
  readonly blockSource?: { readonly stream: string; readonly attempts: number };
  /**
   * Once the destination committed `commits` checkpoints of this stream in an attempt, its source
   * waits at its next step until the stream is asked to stop (a signal or a timeout), then drains:
   * a stream that is slow at a known point, whatever the machine's speed.
   */
  readonly holdSourceAfterCommits?: { readonly stream: string; readonly commits: number };
  /**
   * Ends the process when an exit fault fires (the CLI exits with code 86). An embedder that sets
   * an exit fault without it gets an exception thrown from where the process would have ended.
   */
  readonly exit?: () => void;
}
