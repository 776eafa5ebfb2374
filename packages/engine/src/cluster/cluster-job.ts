import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { StreamContext } from '@rapidbyte/sdk/contract';
import { loadPipelineConfig, type PipelineConfig } from '../config/index.js';
import { ConnectorRegistry } from '../runtime/connector-registry.js';

/**
 * The pipeline as a job carries it: the file's text with its `${VAR}` unresolved (secrets never
 * enter a job; each worker resolves them from its own environment), its sha256, where it lives
 * (relative connector paths and `allowed_paths` resolve against it on every machine) and the
 * sha256 of each connector's component files as the submitter has them.
 */
export interface PipelineJob {
  readonly file: string;
  readonly yamlText: string;
  readonly yamlSha256: string;
  /** `use` → sha256 of the connector's built component files. */
  readonly connectors: Readonly<Record<string, string>>;
}

/** A run submitted to the cluster: executed by a coordinator on some worker. */
export interface RunJob extends PipelineJob {
  readonly pipeline: string;
  readonly fullRefresh: boolean;
  readonly follow: boolean;
  /** `--streams`, as given. */
  readonly streams?: string;
}

/** One batch chain of a run: a stream, or a shard of one (`stream.shard`). */
export interface ChainJob extends PipelineJob {
  readonly chainId: string;
  readonly pipeline: string;
  readonly runId: number;
  readonly stream: StreamContext;
  readonly fullRefresh: boolean;
  /** A shard: the run history is the whole stream's, kept by the coordinator. */
  readonly partOfStream: boolean;
}

/** A job this worker must not run: its pipeline text or a connector differs from what was submitted. */
export class ClusterJobRefused extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'CONFIG_INVALID';
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/**
 * Per process, the hash of each connector folder as first read: it is the build this process has
 * compiled (its components are compiled once per folder too), so a worker whose connector was
 * rebuilt in place still reports the build it runs and refuses jobs submitted with the new one.
 */
const hashes = new Map<string, string>();

/** sha256 over a built connector's component files (paths and contents, in name order); cached per folder. */
export function connectorHash(bindingsDir: string): string {
  const cached = hashes.get(bindingsDir);
  if (cached) return cached;
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(relative(bindingsDir, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(bindingsDir);
  const digest = hash.digest('hex');
  hashes.set(bindingsDir, digest);
  return digest;
}

/** The connectors a pipeline loads, by `use`. */
function connectorRefs(config: PipelineConfig): string[] {
  return [...new Set([config.source.use, config.destination.use, ...config.transforms.map((t) => t.use)])];
}

/** The job of a pipeline file loaded here (its text as on disk, its connectors as built here). */
export function pipelineJobOf(file: string, config: PipelineConfig, registry: ConnectorRegistry): PipelineJob {
  const yamlText = readFileSync(config.file, 'utf8');
  const connectors: Record<string, string> = {};
  for (const use of connectorRefs(config)) {
    const found = registry.resolve(use);
    if (found?.built) connectors[use] = connectorHash(found.bindingsDir);
  }
  return { file: config.file, yamlText, yamlSha256: sha256(yamlText), connectors };
}

/**
 * A job's pipeline as this worker runs it: the text checked against its hash, `${VAR}` resolved
 * from this worker's environment, and every connector checked against the submitter's build. An
 * old worker never runs a new pipeline with old connectors: it refuses the job.
 */
export function loadJobPipeline(
  job: PipelineJob,
  options: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly connectorsPath: readonly string[];
    readonly workerId: string;
  },
): { config: PipelineConfig; registry: ConnectorRegistry } {
  if (sha256(job.yamlText) !== job.yamlSha256)
    throw new ClusterJobRefused(`${job.file}: the pipeline text of the job does not match its sha256`);
  const registry = new ConnectorRegistry(dirname(job.file), options.connectorsPath);
  const config = loadPipelineConfig(job.file, {
    env: options.env,
    text: job.yamlText,
    resolveConnector: (use) => {
      const found = registry.resolve(use);
      return found ? { configSchema: found.configSchema, endpointFields: found.manifest.endpointFields } : undefined;
    },
  });
  for (const use of connectorRefs(config)) {
    const found = registry.resolve(use);
    const here = found?.built ? connectorHash(found.bindingsDir) : 'not built';
    const wanted = job.connectors[use];
    if (wanted !== undefined && here !== wanted)
      throw new ClusterJobRefused(
        `${job.file}: connector '${use}' on worker ${options.workerId} (${found?.dir ?? 'not found'}) has sha256 ${here.slice(0, 12)}, the run was submitted with ${wanted.slice(0, 12)}: deploy the same connector build on every worker`,
      );
  }
  return { config, registry };
}
