import { dirname } from 'node:path';
import type { CheckReport, StreamContext } from '@rapidbyte/sdk/contract';
import type { ConnectorRef, PipelineConfig } from '../config/index.js';
import { classifyError } from '../errors/classify-error.js';
import { compileComponentModules } from '../runtime/component-modules.js';
import { instantiateConnector } from '../runtime/connector-instance.js';
import type { ConnectorRegistry } from '../runtime/connector-registry.js';
import { FrameTable } from '../runtime/frame-table.js';
import type { InstanceHooks } from '../runtime/host-imports.js';
import { NetCapability } from '../runtime/net-capability.js';
import { PgCapability } from '../runtime/pg-capability.js';
import { RequestDispatcher } from '../runtime/request-dispatcher.js';
import { runSession, SessionFailed } from '../runtime/run-session.js';
import { streamContext } from './stream-context.js';
import { capabilityPolicyOf } from './capability-policy-of.js';

/** One line of `rapidbyte check`. */
export interface CheckItem {
  readonly connector: string;
  readonly role: 'source' | 'destination' | 'transform';
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

const quietHooks: InstanceHooks = {
  log: () => undefined,
  metric: () => undefined,
  checkpoint: () => undefined,
  emit: () => undefined,
  stateGet: () => undefined,
  statePut: () => undefined,
  stateCas: () => false,
  deadLetter: () => undefined,
  isCancelled: () => false,
};

/** Runs a one-off `check` or `discover` session of a connector in this thread; `at` is its block in the pipeline file. */
export async function runConnectorOperation(
  registry: ConnectorRegistry,
  ref: ConnectorRef,
  op: 'check' | 'discover' | 'reset',
  context: {
    pipeline: string;
    stream?: StreamContext;
    streams?: readonly StreamContext[];
    resetScope?: 'pipeline' | 'streams';
  },
  baseDir?: string,
  at = 'source',
): Promise<unknown> {
  const found = registry.resolve(ref.use);
  if (!found?.built)
    throw new Error(`connector '${ref.use}' is ${found ? 'not built (run `pnpm build`)' : 'not found'}`);
  const component = await compileComponentModules(found.manifest.name, found.bindingsDir);
  const frames = new FrameTable();
  const policy = capabilityPolicyOf(ref, at, baseDir);
  const pg = new PgCapability(policy, frames, 8 << 20);
  const net = new NetCapability(policy);
  try {
    const exports = await instantiateConnector(component, frames, quietHooks);
    const ctx = JSON.stringify({
      ...context,
      runId: 0,
      resources: { batchRows: 65536, maxBatchBytes: 8 << 20, checkpointIntervalRows: 500000 },
    });
    return await runSession(
      exports,
      op,
      JSON.stringify(ref.config),
      ctx,
      new RequestDispatcher(pg, net, frames, undefined),
    );
  } finally {
    await pg.closeAll();
    net.closeAll();
  }
}

/** Validates connectivity of both ends (the config was validated when it was loaded). */
export async function checkPipeline(config: PipelineConfig, registry: ConnectorRegistry): Promise<CheckItem[]> {
  const ends: [CheckItem['role'], ConnectorRef, string][] = [
    ['source', config.source, 'source'],
    ...config.transforms.map((t, i): [CheckItem['role'], ConnectorRef, string] => ['transform', t, `transforms[${i}]`]),
    ['destination', config.destination, 'destination'],
  ];
  const items: CheckItem[] = [];
  for (const [role, ref, at] of ends) {
    try {
      // the source also checks what its streams need (CDC preflight)
      const streams = role === 'source' ? config.source.streams.map((s) => streamContext(s)) : undefined;
      const report = (await runConnectorOperation(
        registry,
        ref,
        'check',
        { pipeline: config.pipeline, streams },
        dirname(config.file),
        at,
      )) as CheckReport | null;
      for (const item of report?.items ?? []) items.push({ connector: ref.use, role, ...item });
      if (!report?.items?.length) items.push({ connector: ref.use, role, name: 'check', ok: true, message: 'ok' });
    } catch (error) {
      const wit = error instanceof SessionFailed ? error.error : classifyError(error);
      items.push({ connector: ref.use, role, name: 'connect', ok: false, message: `${wit.code}: ${wit.message}` });
    }
  }
  return items;
}
