import * as host from 'rapidbyte:connector/host@0.1.0';
import { ConnectorError, toWitError } from './connector-error.js';
import type { Step } from './requests.js';
import type { SessionContext } from './session-context.js';
import type { Operation, Response, StepResult, WitConnectorError } from './wit-types.js';
import { OPERATIONS } from './wit-types.js';

/** What every operation handler receives. */
export interface OperationInput<Config> {
  readonly config: Config;
  readonly context: SessionContext;
}

/** An operation is a generator that yields host requests and returns a JSON-serialisable result. */
export type OperationHandler<Config> = (input: OperationInput<Config>) => Step<unknown>;

/** A connector written against the SDK: a config schema plus the operations it supports. */
export interface ConnectorDefinition<Config> {
  /** JSON Schema of the connector's `config` (the same file the engine validates with). */
  readonly configSchema: object;
  readonly check?: OperationHandler<Config>;
  readonly discover?: OperationHandler<Config>;
  readonly read?: OperationHandler<Config>;
  readonly write?: OperationHandler<Config>;
  readonly transform?: OperationHandler<Config>;
  /** After `rapidbyte state reset`: release what the connector holds for the pipeline (or `context.streams`). */
  readonly reset?: OperationHandler<Config>;
}

/** The shape componentize-js expects for the exported WIT interface `connector`. */
export interface ConnectorExports {
  spec(): string;
  open(op: Operation, configJson: string, contextJson: string): number;
  runStep(session: number, input: Response): StepResult;
  close(session: number): void;
}

interface Session {
  readonly generator: Step<unknown>;
  started: boolean;
}

/**
 * Turns a connector definition into the WIT `connector` export. The host calls `run-step`
 * repeatedly; each call resumes the operation's generator with the previous response and
 * returns the next request, so the guest never blocks on I/O. Exceptions never cross the
 * boundary: they become `failed` results.
 */
export function defineConnector<Config>(definition: ConnectorDefinition<Config>): ConnectorExports {
  const sessions = new Map<number, Session>();
  let nextId = 1;

  const handlerFor = (op: Operation): OperationHandler<Config> | undefined => {
    if (!OPERATIONS.includes(op)) return undefined;
    return definition[op];
  };

  const failed = (error: WitConnectorError): StepResult => ({ tag: 'failed', val: error });

  return {
    spec: () => JSON.stringify(definition.configSchema),
    open(op, configJson, contextJson) {
      const id = nextId++;
      const handler = handlerFor(op);
      const generator = handler
        ? handler({ config: JSON.parse(configJson) as Config, context: JSON.parse(contextJson) as SessionContext })
        : unsupported(op);
      sessions.set(id, { generator, started: false });
      return id;
    },
    runStep(id, input) {
      const session = sessions.get(id);
      if (!session) return failed({ kind: 'permanent', code: 'NO_SESSION', message: `no session ${id}` });
      try {
        const first = !session.started;
        session.started = true;
        const next = first ? session.generator.next(undefined as unknown as Response) : session.generator.next(input);
        if (next.done) {
          sessions.delete(id);
          return { tag: 'done', val: JSON.stringify(next.value ?? null) };
        }
        return { tag: 'request', val: next.value };
      } catch (error) {
        sessions.delete(id);
        return failed(toWitError(error));
      }
    },
    close(id) {
      const session = sessions.get(id);
      sessions.delete(id);
      try {
        session?.generator.return(undefined);
      } catch (error) {
        host.log('warn', `close: ${toWitError(error).message}`);
      }
    },
  };
}

// eslint-disable-next-line require-yield
function* unsupported(op: Operation): Step<unknown> {
  throw ConnectorError.permanent('UNSUPPORTED_OPERATION', `this connector does not support '${op}'`);
}
