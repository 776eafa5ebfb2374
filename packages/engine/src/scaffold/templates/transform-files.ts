// Generated from a working connector folder; edit the connector, not the escaping.
/** Files of a scaffolded transform: renames columns with the host's frame operation. */
export function transformFiles(name: string): Record<string, string> {
  return {
    'config-schema.json': `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "rename": { "type": "object", "additionalProperties": { "type": "string" }, "description": "columns to rename: { old_name: new_name }" }
  }
}
`,
    'src/index.ts': `import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import type { TransformConfig } from './transform-config.js';
import { transformStream } from './transform-stream.js';

/** A transform skeleton: renames columns with the host's vectorised frame operation. */
export const connector = defineConnector<TransformConfig>({
  configSchema,
  transform: transformStream,
});
`,
    'src/transform-config.ts': `/** \`config\` of this transform, as \`config-schema.json\` describes it. */
export interface TransformConfig {
  /** Columns to rename: \`{ old_name: new_name }\`. */
  readonly rename?: Readonly<Record<string, string>>;
}
`,
    'src/transform-stream.ts': `import { checkpoint, frames, nextFrame, type OperationInput, type Step, type TransferSummary } from '@rapidbyte/sdk';
import type { TransformConfig } from './transform-config.js';

/**
 * Passes every frame downstream with its columns renamed (the host renames; the guest never
 * touches the values) and forwards checkpoint markers in order with the frames.
 */
export function* transformStream({ config }: OperationInput<TransformConfig>): Step<TransferSummary> {
  const renames = Object.entries(config.rename ?? {});
  let rows = 0;
  let frameCount = 0;
  for (;;) {
    const item = yield* nextFrame();
    if (item.kind === 'end') break;
    if (item.kind === 'checkpoint') {
      checkpoint('resume', JSON.parse(item.payload) as unknown);
      continue;
    }
    rows += frames.rows(item.frame);
    frameCount += 1;
    if (renames.length === 0) {
      frames.emit(item.frame);
      continue;
    }
    const renamed = frames.rename(item.frame, renames);
    frames.release(item.frame);
    frames.emit(renamed);
  }
  return { rows, frames: frameCount };
}
`,
    'test/connector.test.ts': `import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchFromRows, ConnectorHarness } from '@rapidbyte/sdk/testing';

const harness = await ConnectorHarness.load(fileURLToPath(new URL('..', import.meta.url)));

describe('${name} (built component, in-memory host)', () => {
  it('renames columns and forwards checkpoints in order', async () => {
    const input = [batchFromRows([{ id: 1, name: 'a' }]), { checkpoint: { rows: 1 } }];
    const run = await harness.transform({ config: { rename: { name: 'full_name' } }, input });
    expect(run.result).toEqual({ rows: 1, frames: 1 });
    expect(run.rows()).toEqual([{ id: 1n, full_name: 'a' }]);
    expect(run.output.map((o) => o.kind)).toEqual(['frame', 'checkpoint']);
    expect(run.leakedFrames).toBe(0);
  });
});
`,
  };
}
