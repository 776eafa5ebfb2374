import { quoteLiteral } from '@rapidbyte/sdk/postgres';

/**
 * Puts a text value into SQL as a typed expression. Values never appear in SQL unquoted: a
 * parameter binder emits `$n::type` and collects the value; an inline binder (for COPY, which
 * takes no parameters) emits a quoted literal `'v'::type`.
 */
export interface ValueBinder {
  /** `type` is a Postgres type expression (`integer`, `timestamp with time zone`, a `format_type`). */
  bind(value: string, type: string): string;
}

/** A binder that collects parameters for `pg.query(conn, sql, binder.params)`. */
export interface ParamBinder extends ValueBinder {
  readonly params: readonly string[];
}

/** `$1::type`, `$2::type`, ... in call order. */
export function paramBinder(): ParamBinder {
  const params: string[] = [];
  return {
    params,
    bind(value: string, type: string): string {
      params.push(value);
      return `$${params.length}::${type}`;
    },
  };
}

/** `'value'::type` (quoted with `quoteLiteral`, so correct whatever `standard_conforming_strings` says). */
export function inlineBinder(): ValueBinder {
  return { bind: (value: string, type: string): string => `${quoteLiteral(value)}::${type}` };
}
