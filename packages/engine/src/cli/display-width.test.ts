import { describe, expect, it } from 'vitest';
import { displayWidth, padEndDisplay, padStartDisplay } from './display-width.js';

describe('displayWidth', () => {
  it.each([
    ['', 0],
    ['orders', 6],
    ['注文', 4], // CJK ideographs: wide
    ['ｶﾀｶﾅ', 4], // halfwidth katakana: narrow
    ['ＡＢ', 4], // fullwidth Latin
    ['주문', 4], // Hangul syllables
    ['テーブル', 8],
    ['🍣', 2],
    ['🍣sushi', 7],
    ['👨‍👩‍👧', 2], // a ZWJ family is one glyph
    ['🇯🇵', 2], // a flag: two regional indicators, one glyph
    ['❤️', 2], // text-default pictograph asked for as emoji (VS16)
    ['❤', 1], // the same without VS16: text presentation
    ['1️⃣', 2], // keycap
    ['é', 1], // e + combining acute
    ['a\u200bb', 2], // zero-width space
    ['\u001b[31mred\u001b[39m', 3], // colour codes take no room
    ['日本語 text', 11],
  ])('%j is %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it('pads to display columns, not UTF-16 units', () => {
    expect(padEndDisplay('注文', 6)).toBe('注文  ');
    expect(padStartDisplay('🍣', 4)).toBe('  🍣');
    expect(padEndDisplay('toolong', 3)).toBe('toolong');
  });
});
