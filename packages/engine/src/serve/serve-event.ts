import type { ConfigIssue } from '../config/config-error.js';
import type { TickOutcome } from '../state/index.js';

/** Typed events `serve` emits; the CLI prints them, the library never does. */
export type ServeEvent =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'ready'; readonly pipelines: readonly string[] }
  | {
      readonly type: 'tick';
      readonly pipeline: string;
      readonly tickAt: string;
      readonly outcome: TickOutcome;
      readonly reason?: string;
      readonly runId?: number;
    }
  | {
      readonly type: 'run-finished';
      readonly pipeline: string;
      readonly runId?: number;
      readonly status: string;
      readonly error?: string;
    }
  | { readonly type: 'reloaded'; readonly pipelines: readonly string[] }
  | { readonly type: 'reload-failed'; readonly issues: readonly ConfigIssue[] }
  | { readonly type: 'draining'; readonly runs: number }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly pipeline?: string;
      readonly message: string;
    };

export type ServeEventListener = (event: ServeEvent) => void;
