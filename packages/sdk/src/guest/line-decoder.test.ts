import { describe, expect, it } from 'vitest';
import { LineDecoder } from './line-decoder.js';

describe('LineDecoder', () => {
  const text = 'a,é\r\n{"x":"✓"}\n\nlast';
  const bytes = new TextEncoder().encode(text);

  it('gives the same lines for the input split at every boundary', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new LineDecoder();
      const lines = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut)), ...d.end()];
      expect(lines).toEqual(['a,é', '{"x":"✓"}', '', 'last']);
    }
  });

  it('gives nothing for empty input and no trailing empty line after a final newline', () => {
    const d = new LineDecoder();
    expect([...d.push(new Uint8Array(0)), ...d.end()]).toEqual([]);
    const e = new LineDecoder();
    expect([...e.push(new TextEncoder().encode('x\n')), ...e.end()]).toEqual(['x']);
  });
});
