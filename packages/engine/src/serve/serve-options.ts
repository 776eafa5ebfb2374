import type { ServeEventListener } from './serve-event.js';

/** Where the HTTP API listens. */
export interface ListenAddress {
  readonly host: string;
  /** 0: any free port (the `listening` event says which). */
  readonly port: number;
}

/** Options of {@link startServe}; the CLI fills them from flags and the environment. */
export interface ServeOptions {
  /** A folder of pipeline files, a folder with a project.yaml, or a project file. */
  readonly target: string;
  /** Variables for `${VAR}` in the pipeline files. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** PostgreSQL URL of the workflow engine's system database (created if missing). */
  readonly systemDatabaseUrl: string;
  readonly listen: ListenAddress;
  /** Bearer token every mutating API call (and every call, when not bound to loopback) must carry. */
  readonly apiToken?: string;
  /** Versions the durable workflows: a process recovers only the workflows of its own version. */
  readonly version: string;
  readonly onEvent?: ServeEventListener;
  /** The clock (tests); default `() => new Date()`. */
  readonly now?: () => Date;
  /** How long a batch stream may drain after a stop before it stops at once. */
  readonly drainGraceMs?: number;
  /** Events older than this whose deliveries all ended are deleted (hourly); 0 keeps them; default 30 days. */
  readonly eventRetentionMs?: number;
  /**
   * `--cluster`: scheduled runs are submitted to the workers sharing each pipeline's Postgres state
   * DB (`rapidbyte worker`), at the lowest priority, instead of running in this process.
   */
  readonly cluster?: boolean;
}
