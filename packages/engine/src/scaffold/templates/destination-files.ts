// Generated from a working connector folder; edit the connector, not the escaping.
/** Files of a scaffolded destination: a skeleton that counts rows and acknowledges checkpoints. */
export function destinationFiles(name: string): Record<string, string> {
  return {
    'config-schema.json': `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "fail_on_empty": { "type": "boolean", "description": "fail the stream when it delivers no rows" }
  }
}
`,
    'src/destination-config.ts': `/** \`config\` of this destination, as \`config-schema.json\` describes it. */
export interface DestinationConfig {
  /** Fail the stream when it delivers no rows (default false). */
  readonly fail_on_empty?: boolean;
}
`,
    'src/index.ts': `import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import type { DestinationConfig } from './destination-config.js';
import { writeStream } from './write-stream.js';

/** A destination skeleton: counts what it receives and acknowledges every checkpoint. */
export const connector = defineConnector<DestinationConfig>({
  configSchema,
  *check() {
    return { items: [{ name: 'config', ok: true, message: 'nothing to check yet' }] };
  },
  write: writeStream,
});
`,
    'src/write-stream.ts': `import { checkpoint, ConnectorError, frames, log, nextFrame, type OperationInput, type Step, type TransferSummary } from '@rapidbyte/sdk';
import type { DestinationConfig } from './destination-config.js';

/**
 * Reads the stream's frames until the end. A real destination writes each frame (e.g. with the
 * Postgres capability's copy-in or an HTTP request) and, after committing everything before a
 * checkpoint marker, reports that marker with \`checkpoint('committed', payload)\`: only then does
 * the engine advance the source's cursor.
 */
export function* writeStream({ config, context }: OperationInput<DestinationConfig>): Step<TransferSummary> {
  let rows = 0;
  let frameCount = 0;
  for (;;) {
    const item = yield* nextFrame();
    if (item.kind === 'end') break;
    if (item.kind === 'checkpoint') {
      checkpoint('committed', JSON.parse(item.payload) as unknown);
      continue;
    }
    rows += frames.rows(item.frame);
    frameCount += 1;
    frames.release(item.frame);
  }
  if (rows === 0 && config.fail_on_empty) {
    throw ConnectorError.permanent('EMPTY_STREAM', \`\${context.stream?.name ?? 'stream'}: no rows received\`);
  }
  log.info(\`\${context.stream?.name ?? 'stream'}: received \${rows} rows in \${frameCount} frames\`);
  return { rows, frames: frameCount };
}
`,
    'test/connector.test.ts': `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness } from '@rapidbyte/sdk/testing';

const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));

describe('${name} (built component, in-memory host)', () => {
  it('counts the rows of every frame and acknowledges checkpoints in order', async () => {
    const input = [batchFromRows([{ id: 1 }, { id: 2 }]), { checkpoint: { rows: 2 } }, batchFromRows([{ id: 3 }])];
    const run = await harness.write({ input });
    expect(run.result).toEqual({ rows: 3, frames: 2 });
    expect(run.checkpoints).toEqual([{ kind: 'committed', payload: { rows: 2 } }]);
    expect(run.leakedFrames).toBe(0);
  });

  it('fails an empty stream with fail_on_empty', async () => {
    const run = await harness.write({ config: { fail_on_empty: true }, input: [] });
    expect(run.error.code).toBe('EMPTY_STREAM');
  });
});
`,
  };
}
