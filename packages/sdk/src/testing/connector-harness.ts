import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readConnectorManifest, type ConnectorManifest } from '../build/connector-manifest.js';
import type { Operation, Request, Response, StepResult } from '../guest/wit-types.js';
import { HarnessFrames } from './harness-frames.js';
import { createHarnessHost, deniedWasiImports, type HostCapture } from './harness-host.js';
import {
  fileHandler,
  inputHandler,
  UnansweredRequestError,
  type InputItem,
  type RequestHandler,
  type RequestHandlers,
} from './request-handlers.js';
import { sessionContext, type ContextOverrides } from './session-defaults.js';
import { SessionRun } from './session-record.js';

/** What one harness session gets: config, context and the answers to its requests. */
export interface RunOptions {
  /** The connector's `config` (serialised to JSON, as the engine does after validation). */
  readonly config?: unknown;
  /** Context values over the defaults (pipeline `test`, stream `public.test`, full refresh, append). */
  readonly context?: ContextOverrides;
  /** Files `fs-read` can read, by path (string content is UTF-8); other paths get FS_DENIED. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** What `next-frame` returns, in order, then `end-of-data`. */
  readonly input?: readonly InputItem[];
  /** Connector state before the session. */
  readonly state?: Readonly<Record<string, string>>;
  /** Answers by request tag; they win over the built-in `fs-read`/`next-frame`/`sleep-ms` answers. */
  readonly handlers?: RequestHandlers;
  /** `is-cancelled` (default: never). */
  readonly cancelled?: () => boolean;
  /** Fails the test if the session takes more steps (default 1,000,000): catches loops. */
  readonly maxSteps?: number;
}

interface ConnectorExports {
  spec(): string;
  open(op: Operation, configJson: string, contextJson: string): number;
  runStep(session: number, input: Response): StepResult;
  close(session: number): void;
}

type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/**
 * Runs a built connector component (its `build/bindings`, as `rapidbyte-build` writes them)
 * against an in-memory host: no engine, no database. Each `run` instantiates a fresh component,
 * drives one session step by step, answers its requests from the options, and returns everything
 * the session did through the host.
 */
export class ConnectorHarness {
  private constructor(
    readonly dir: string,
    readonly manifest: ConnectorManifest,
    readonly bindingsUrl: string,
    readonly modules: Readonly<Record<string, WebAssembly.Module>>,
  ) {}

  /** Loads a connector folder that has been built (`npm run build`). */
  static async load(dir: string): Promise<ConnectorHarness> {
    const root = resolve(dir);
    const manifest = readConnectorManifest(root);
    const bindingsDir = join(root, 'build', 'bindings');
    let names: string[];
    try {
      names = (await readdir(bindingsDir)).filter((n) => n.endsWith('.wasm'));
    } catch {
      throw new Error(`${manifest.name}: ${bindingsDir} not found: build the connector first (npm run build)`);
    }
    const modules: Record<string, WebAssembly.Module> = {};
    for (const name of names) modules[name] = await WebAssembly.compile(await readFile(join(bindingsDir, name)));
    return new ConnectorHarness(root, manifest, pathToFileURL(join(bindingsDir, 'connector.js')).href, modules);
  }

  /** The config JSON Schema the component reports (`spec`). */
  async spec(): Promise<unknown> {
    const { exports } = await this.#instantiate(this.#capture({}));
    return JSON.parse(exports.spec()) as unknown;
  }

  check(options?: RunOptions): Promise<SessionRun> {
    return this.run('check', options);
  }

  discover(options?: RunOptions): Promise<SessionRun> {
    return this.run('discover', options);
  }

  read(options?: RunOptions): Promise<SessionRun> {
    return this.run('read', options);
  }

  write(options?: RunOptions): Promise<SessionRun> {
    return this.run('write', options);
  }

  transform(options?: RunOptions): Promise<SessionRun> {
    return this.run('transform', options);
  }

  /**
   * Runs one session to its end. Resolves with the record (also when the guest fails: see
   * `outcome`); rejects with `UnansweredRequestError` when the guest asks for something the
   * test does not answer.
   */
  async run(op: Operation, options: RunOptions = {}): Promise<SessionRun> {
    const capture = this.#capture(options);
    const { exports, frames } = await this.#instantiate(capture);
    const handlers: Record<string, RequestHandler | undefined> = {
      'fs-read': fileHandler(options.files ?? {}) as RequestHandler,
      'next-frame': inputHandler(options.input ?? []) as RequestHandler,
      'sleep-ms': () => ({ tag: 'none' }),
      'dead-letters-flush': () => ({ tag: 'none' }),
      ...(options.handlers as Record<string, RequestHandler | undefined>),
    };
    const requests: Request[] = [];
    const context = JSON.stringify(sessionContext(op, options.context));
    const session = exports.open(op, JSON.stringify(options.config ?? {}), context);
    let input: Response = { tag: 'none' };
    let outcome: SessionRun['outcome'] | undefined;
    try {
      for (let step = 0; outcome === undefined; step++) {
        if (step > (options.maxSteps ?? 1_000_000))
          throw new Error(`${this.manifest.name}: session exceeded ${options.maxSteps ?? 1_000_000} steps`);
        const result = exports.runStep(session, input);
        if (result.tag === 'done') outcome = { ok: true, result: JSON.parse(result.val) as unknown };
        else if (result.tag === 'failed') outcome = { ok: false, error: result.val };
        else {
          requests.push(result.val);
          const handler = handlers[result.val.tag];
          if (!handler) throw new UnansweredRequestError(result.val);
          input = await handler(result.val, { frames });
        }
      }
    } finally {
      exports.close(session);
    }
    return new SessionRun({ ...capture, outcome, requests, leakedFrames: frames.size });
  }

  #capture(options: RunOptions): HostCapture {
    return {
      frames: [],
      output: [],
      checkpoints: [],
      deadLetters: [],
      logs: [],
      metrics: [],
      state: new Map(Object.entries(options.state ?? {})),
      cancelled: options.cancelled ?? (() => false),
    };
  }

  async #instantiate(capture: HostCapture): Promise<{ exports: ConnectorExports; frames: HarnessFrames }> {
    const bindings = (await import(this.bindingsUrl)) as { instantiate: Instantiate };
    const frames = new HarnessFrames();
    const host = createHarnessHost(frames, capture);
    const denied = deniedWasiImports();
    const imports = new Proxy({} as Record<string, unknown>, {
      get: (_t, key: string) => (key.startsWith('rapidbyte:connector/host') ? host : denied[key]),
    });
    const instance = await bindings.instantiate((name) => {
      const module = this.modules[name];
      if (!module) throw new Error(`${this.manifest.name}: missing core module ${name}`);
      return module;
    }, imports);
    const exports = (instance.connector ?? instance['rapidbyte:connector/connector@0.1.0']) as
      ConnectorExports | undefined;
    if (!exports) throw new Error(`${this.manifest.name}: component does not export rapidbyte:connector/connector`);
    return { exports, frames };
  }
}
