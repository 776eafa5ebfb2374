/** A key path into the config: object keys and array indexes. */
export type ConfigPath = readonly (string | number)[];

/** JSON pointer (RFC 6901) of a path, the form ajv reports as `instancePath`. */
export function toPointer(path: ConfigPath): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Inverse of {@link toPointer}; digit-only segments become indexes. */
export function fromPointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** Human form used in messages: `source.streams[1].sync_mode`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
