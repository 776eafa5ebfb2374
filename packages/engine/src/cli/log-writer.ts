import { LOG_LEVELS, type LogLevel } from '@rapidbyte/sdk/contract';

export type { LogLevel };

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** One log record: a connector's or the engine's message, or a progress note of the display. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly stream?: string;
  /** `source:source-postgres`, `destination:dest-postgres`, `engine`; absent for progress notes. */
  readonly stage?: string;
  /** Extra structured fields, kept in the JSON format only (e.g. `event`, counters). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface LogWriterOptions {
  /** Records below this level are dropped. */
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Removes secrets from a finished line (the config's `redactSecrets`). */
  readonly redact: (text: string) => string;
  /** Writes one line (without its newline), e.g. to stderr or above a live display. */
  readonly write: (line: string) => void;
  readonly clock?: () => Date;
}

/** Writes log records as text (`[warn] stream stage: message`) or as JSON lines, secrets redacted. */
export interface LogWriter {
  log(record: LogRecord): void;
}

function toLevel(level: string): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : 'info';
}

export function createLogWriter(options: LogWriterOptions): LogWriter {
  const min = LOG_LEVELS.indexOf(options.level);
  const clock = options.clock ?? (() => new Date());
  return {
    log(record) {
      const level = toLevel(record.level);
      if (LOG_LEVELS.indexOf(level) < min) return;
      const line =
        options.format === 'json'
          ? JSON.stringify({
              time: clock().toISOString(),
              level,
              stream: record.stream,
              stage: record.stage,
              message: record.message,
              ...record.fields,
            })
          : record.stage === undefined
            ? `${record.stream === undefined ? '' : `${record.stream}: `}${record.message}`
            : `[${level}] ${record.stream === undefined ? '' : `${record.stream} `}${record.stage}: ${record.message}`;
      options.write(options.redact(line));
    },
  };
}
