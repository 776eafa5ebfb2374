// Generated from a working connector folder; edit the connector, not the escaping.
/** Files of a scaffolded source: a JSON-lines file reader, the SDK walkthrough's connector. */
export function sourceFiles(name: string): Record<string, string> {
  return {
    'config-schema.json': `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "required": ["path"],
  "properties": {
    "path": { "type": "string", "minLength": 1, "description": "JSON-lines file to read (granted by permissions.fs.allowed_paths)" },
    "batch_rows": { "type": "integer", "minimum": 1, "description": "rows per frame (default 10000)" },
    "columns": {
      "type": "array",
      "description": "column names and types (default: inferred from the first rows)",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "type"],
        "properties": {
          "name": { "type": "string" },
          "type": { "enum": ["string", "int64", "float64", "boolean", "timestamp"] },
          "nullable": { "type": "boolean" }
        }
      }
    }
  }
}
`,
    'src/check-file.ts': `import { describeError, fs, type CheckReport, type OperationInput, type Step } from '@rapidbyte/sdk';
import type { SourceConfig } from './source-config.js';

/** \`rapidbyte check\`: the file can be read (it exists and the pipeline grants it). */
export function* checkFile({ config }: OperationInput<SourceConfig>): Step<CheckReport> {
  try {
    const head = yield* fs.read(config.path, 0n, 1024);
    return { items: [{ name: 'file', ok: true, message: \`\${config.path}: readable (\${head.length > 0 ? 'not empty' : 'empty'})\` }] };
  } catch (error) {
    return { items: [{ name: 'file', ok: false, message: describeError(error) }] };
  }
}
`,
    'src/index.ts': `import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import { checkFile } from './check-file.js';
import { readFile } from './read-file.js';
import type { SourceConfig } from './source-config.js';

/** A source that reads a JSON-lines file into Arrow frames. */
export const connector = defineConnector<SourceConfig>({
  configSchema,
  check: checkFile,
  read: readFile,
});
`,
    'src/parse-line.ts': `import type { Row } from '@rapidbyte/sdk/rows';

/** One parsed line: a row, a blank line to skip, or what is wrong with it. */
export type ParsedLine = { readonly kind: 'row'; readonly row: Row } | { readonly kind: 'blank' } | { readonly kind: 'invalid'; readonly reason: string };

/** Parses one line of a JSON-lines file (pure: unit-testable without the host). */
export function parseLine(line: string): ParsedLine {
  if (line.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { kind: 'invalid', reason: \`not valid JSON: \${(error as Error).message}\` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'expected a JSON object per line' };
  }
  return { kind: 'row', row: value as Row };
}
`,
    'src/read-file.ts': `import { checkpoint, ConnectorError, frames, fs, log, type OperationInput, type Step, type TransferSummary } from '@rapidbyte/sdk';
import { frameFromRows, inferRowColumns, LineDecoder, type Row, type RowColumn } from '@rapidbyte/sdk/rows';
import { parseLine } from './parse-line.js';
import { DEFAULT_BATCH_ROWS, READ_CHUNK_BYTES, type SourceConfig } from './source-config.js';

/**
 * Reads the JSON-lines file in chunks (each \`fs.read\` is a request the host answers between
 * steps), parses every line, and emits a frame per \`batch_rows\` rows. Full refresh only: the
 * final checkpoint says the pass is complete.
 */
export function* readFile({ config, context }: OperationInput<SourceConfig>): Step<TransferSummary> {
  const batchRows = config.batch_rows ?? DEFAULT_BATCH_ROWS;
  const lines = new LineDecoder();
  let columns: readonly RowColumn[] | undefined = config.columns;
  let batch: Row[] = [];
  let rows = 0;
  let frameCount = 0;
  let lineNumber = 0;

  const flush = (): void => {
    if (batch.length === 0) return;
    columns ??= inferRowColumns(batch);
    frames.emit(frameFromRows(batch, { columns }));
    rows += batch.length;
    frameCount += 1;
    batch = [];
  };
  const take = (line: string): void => {
    lineNumber += 1;
    const parsed = parseLine(line);
    if (parsed.kind === 'invalid') throw ConnectorError.permanent('BAD_JSON', \`\${config.path}:\${lineNumber}: \${parsed.reason}\`);
    if (parsed.kind === 'row') batch.push(parsed.row);
    if (batch.length >= batchRows) flush();
  };

  let offset = 0n;
  for (;;) {
    const chunk = yield* fs.read(config.path, offset, READ_CHUNK_BYTES);
    if (chunk.length === 0) break;
    offset += BigInt(chunk.length);
    for (const line of lines.push(chunk)) take(line);
  }
  for (const line of lines.end()) take(line);
  flush();
  checkpoint('resume', { mode: 'full_refresh', complete: true, rows });
  log.info(\`\${context.stream?.name ?? config.path}: read \${rows} rows in \${frameCount} frames\`);
  return { rows, frames: frameCount };
}
`,
    'src/source-config.ts': `import type { RowColumn } from '@rapidbyte/sdk/rows';

/** \`config\` of this source, as \`config-schema.json\` describes it (the engine validates it first). */
export interface SourceConfig {
  /** JSON-lines file to read; the pipeline must grant it in \`permissions.fs.allowed_paths\`. */
  readonly path: string;
  /** Rows per emitted frame (default 10000). */
  readonly batch_rows?: number;
  /** Column names and types; default: inferred from the first batch of rows. */
  readonly columns?: readonly RowColumn[];
}

export const DEFAULT_BATCH_ROWS = 10_000;

/** Bytes asked for per \`fs.read\` request. */
export const READ_CHUNK_BYTES = 1 << 20;
`,
    'test/connector.test.ts': `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConnectorHarness } from '@rapidbyte/sdk/testing';

const FILE = '/data/users.jsonl';
const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));

describe('${name} (built component, in-memory host)', () => {
  it('reads every line of the file into frames of batch_rows rows', async () => {
    const lines = Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: i + 1, name: \`user \${i + 1}\`, score: i + 0.5 }));
    const run = await harness.read({ config: { path: FILE, batch_rows: 2 }, files: { [FILE]: lines.join('\\n') + '\\n' } });
    expect(run.result).toEqual({ rows: 5, frames: 3 });
    expect(run.frames.map((f) => f.numRows)).toEqual([2, 2, 1]);
    expect(run.rows()[0]).toEqual({ id: 1n, name: 'user 1', score: 0.5 });
    expect(run.checkpoints).toEqual([{ kind: 'resume', payload: { mode: 'full_refresh', complete: true, rows: 5 } }]);
  });

  it('fails with BAD_JSON naming the line', async () => {
    const run = await harness.read({ config: { path: FILE }, files: { [FILE]: '{"id":1}\\nnot json\\n' } });
    expect(run.error.code).toBe('BAD_JSON');
    expect(run.error.message).toContain(\`\${FILE}:2\`);
  });

  it('check reports a file the pipeline does not grant', async () => {
    const run = await harness.check({ config: { path: '/elsewhere.jsonl' } });
    expect(run.result).toMatchObject({ items: [{ name: 'file', ok: false }] });
  });
});
`,
    'test/parse-line.test.ts': `import { describe, expect, it } from 'vitest';
import { parseLine } from '../src/parse-line.js';

describe('parseLine', () => {
  it('parses an object, skips blank lines, explains a bad line', () => {
    expect(parseLine('{"id":1}')).toEqual({ kind: 'row', row: { id: 1 } });
    expect(parseLine('   ')).toEqual({ kind: 'blank' });
    expect(parseLine('[1]')).toEqual({ kind: 'invalid', reason: 'expected a JSON object per line' });
    expect(parseLine('{oops')).toMatchObject({ kind: 'invalid' });
  });
});
`,
  };
}
