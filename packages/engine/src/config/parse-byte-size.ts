/** Byte sizes as written in YAML: `8mb`, `512kb`, `1.5GiB`, `100b`, `4096`. Units are binary. */
export const BYTE_SIZE_PATTERN = '^\\s*(\\d+(?:\\.\\d+)?)\\s*(?:([kKmMgG])[iI]?)?[bB]?\\s*$';

const SIZE = new RegExp(BYTE_SIZE_PATTERN);
const UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Bytes in a size as written in YAML: a positive integer, or a string matching
 * {@link BYTE_SIZE_PATTERN} (`mb` = MiB). Returns undefined for anything else, including 0.
 */
export function parseByteSize(size: number | string): number | undefined {
  if (typeof size === 'number') return Number.isSafeInteger(size) && size > 0 ? size : undefined;
  const match = SIZE.exec(size);
  if (match === null) return undefined;
  const unit = match[2] === undefined ? 1 : UNITS[match[2].toLowerCase()];
  const bytes = Math.floor(Number(match[1]) * unit);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}
