/**
 * Terminal columns a string takes: East Asian Wide and Fullwidth characters and emoji take two,
 * combining marks, zero-width and control characters none, ANSI colour codes none, everything
 * else one. Counted per grapheme cluster, so `é` as e + U+0301, a flag and a ZWJ family are one
 * glyph each. (`String#length` counts UTF-16 units: a CJK name padded with `padEnd` comes out
 * shorter than an ASCII one of the same length.)
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text.replace(ANSI, ''))) width += clusterWidth(segment);
  return width;
}

/** `text` padded with spaces to `width` columns (left-aligned); longer text is returned as is. */
export function padEndDisplay(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** `text` padded with spaces to `width` columns (right-aligned). */
export function padStartDisplay(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
// eslint-disable-next-line no-control-regex -- ESC starts the ANSI escape sequences this strips
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const ZERO_WIDTH = /^[\p{Mark}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]+$/u;

function clusterWidth(cluster: string): number {
  if (ZERO_WIDTH.test(cluster)) return 0;
  const first = cluster.codePointAt(0) ?? 0;
  // an emoji shown as a picture: by default, or asked for with VS16 (U+FE0F), a keycap, a flag
  if (
    EMOJI_PRESENTATION.test(cluster) ||
    (PICTOGRAPHIC.test(cluster) && cluster.includes('\uFE0F')) ||
    cluster.includes('\u20E3')
  )
    return 2;
  return isWide(first) ? 2 : 1;
}

/** East Asian Width W or F (Unicode 15 ranges outside the emoji, which are handled above). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x16ff0, 0x16ff1],
  [0x17000, 0x18cd5],
  [0x18d00, 0x18d08],
  [0x1aff0, 0x1b2fb],
  [0x1f200, 0x1f202],
  [0x1f210, 0x1f23b],
  [0x1f240, 0x1f248],
  [0x1f250, 0x1f251],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  for (const [lo, hi] of WIDE) {
    if (cp < lo) return false;
    if (cp <= hi) return true;
  }
  return false;
}
