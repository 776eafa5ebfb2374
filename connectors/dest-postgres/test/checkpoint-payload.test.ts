import { describe, expect, it } from 'vitest';
import { parseCheckpointPayload } from '../src/checkpoint-payload.js';

describe('parseCheckpointPayload', () => {
  it('keeps the text and parses it', () => {
    const text = '{"mode":"incremental","cursorValue":"9007199254740993"}';
    expect(parseCheckpointPayload(text)).toEqual({
      ok: true,
      json: text,
      value: { mode: 'incremental', cursorValue: '9007199254740993' },
    });
    expect(parseCheckpointPayload('null')).toEqual({ ok: true, json: 'null', value: null });
  });

  it('refuses text that is not JSON or not an object', () => {
    const bad = parseCheckpointPayload('{mode:');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/not JSON.*\{mode:/);
    expect(parseCheckpointPayload('"x"').ok).toBe(false);
    expect(parseCheckpointPayload('42').ok).toBe(false);
  });
});
