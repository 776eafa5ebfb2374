// Pipeline files as data: build a pg -> pg pipeline, or change one a test already wrote, as an
// object serialised with the `yaml` package, so that a change is a property assignment and not a
// string replacement that silently does nothing when the text it looks for moved.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { writePipeline } from './run-cli.js';
import type { HasUrl } from './table-assertions.js';

/** One entry of `source.streams`. */
export interface StreamDoc {
  name: string;
  sync_mode?: string;
  write_mode?: string;
  cursor_field?: string;
  primary_key?: string[];
  shards?: number | string;
  [key: string]: unknown;
}

/** `source` or `destination`: the connector, its config and its sandbox permissions. */
export interface EndpointDoc {
  use: string;
  config: Record<string, unknown>;
  permissions?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A pipeline file; the keys tests touch are typed, every other key passes through as it is. */
export interface PipelineDoc {
  version?: string;
  pipeline: string;
  source: EndpointDoc & { streams: StreamDoc[] };
  destination: EndpointDoc;
  resources?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A connector block for the shared test cluster (allowed_hosts 127.0.0.1), as data. */
export function pgEndpointDoc(use: string, url: string, config: Record<string, unknown> = {}): EndpointDoc {
  return { use, config: { url, ...config }, permissions: { network: { allowed_hosts: ['127.0.0.1'] } } };
}

/** What `pgPipeline` needs; `destination` keys go beside `write_mode` (e.g. `primary_key`). */
export interface PgPipelineSpec {
  name: string;
  src: HasUrl;
  dst: HasUrl;
  streams: StreamDoc[];
  writeMode?: string;
  destination?: Record<string, unknown>;
  resources?: Record<string, unknown>;
}

/** source-postgres -> dest-postgres on the shared test cluster, as data. */
export function pgPipeline(spec: PgPipelineSpec): PipelineDoc {
  const doc: PipelineDoc = {
    version: '1.0',
    pipeline: spec.name,
    source: { ...pgEndpointDoc('source-postgres', spec.src.url), streams: spec.streams },
    destination: {
      ...pgEndpointDoc('dest-postgres', spec.dst.url),
      ...(spec.writeMode ? { write_mode: spec.writeMode } : {}),
      ...spec.destination,
    },
  };
  if (spec.resources) doc.resources = spec.resources;
  return doc;
}

/** The pipeline as YAML text. */
export function pipelineYamlText(doc: PipelineDoc): string {
  return stringify(doc);
}

/** Writes the pipeline as YAML into a fresh temp dir (its state DB lands beside it); returns the file. */
export function writePipelineDoc(doc: PipelineDoc, name?: string): string {
  return writePipeline(pipelineYamlText(doc), name);
}

/** The pipeline file `file` as data. */
export function readPipeline(file: string): PipelineDoc {
  return parse(readFileSync(file, 'utf8')) as PipelineDoc;
}

/** Reads `file`, lets `edit` change it as data, and writes it back as YAML (comments are not kept). */
export function editPipeline(file: string, edit: (doc: PipelineDoc) => void): void {
  const doc = readPipeline(file);
  edit(doc);
  writeFileSync(file, pipelineYamlText(doc));
}

/** The stream named `name` of the pipeline; throws when it has none. */
export function streamDoc(doc: PipelineDoc, name: string): StreamDoc {
  const stream = doc.source.streams.find((s) => s.name === name);
  if (!stream)
    throw new Error(`the pipeline has no stream ${name} (it has ${doc.source.streams.map((s) => s.name).join(', ')})`);
  return stream;
}
