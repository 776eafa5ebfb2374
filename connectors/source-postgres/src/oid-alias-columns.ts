import type { PgColumn } from '@rapidbyte/sdk';
import { quoteIdent } from '@rapidbyte/sdk/postgres';

/**
 * The OID-alias types and their array types (builtin OIDs, the same in every database). Their
 * values are OIDs of objects in the source's catalog, which name nothing (or another object) at a
 * destination, and their binary form is that OID.
 */
const OID_ALIAS_TYPES = [
  { name: 'regproc', oid: 24, arrayOid: 1008 },
  { name: 'regprocedure', oid: 2202, arrayOid: 2207 },
  { name: 'regoper', oid: 2203, arrayOid: 2208 },
  { name: 'regoperator', oid: 2204, arrayOid: 2209 },
  { name: 'regclass', oid: 2205, arrayOid: 2210 },
  { name: 'regtype', oid: 2206, arrayOid: 2211 },
  { name: 'regconfig', oid: 3734, arrayOid: 3735 },
  { name: 'regdictionary', oid: 3769, arrayOid: 3770 },
  { name: 'regnamespace', oid: 4089, arrayOid: 4090 },
  { name: 'regrole', oid: 4096, arrayOid: 4097 },
  { name: 'regcollation', oid: 4191, arrayOid: 4192 },
] as const;

const SCALAR = new Set<number>(OID_ALIAS_TYPES.map((t) => t.oid));
const ARRAY = new Set<number>(OID_ALIAS_TYPES.map((t) => t.arrayOid));

const TEXT = { typeName: 'text', typeOid: 25, typeCategory: 'S' } as const;
const TEXT_ARRAY = { typeName: 'text[]', typeOid: 1009, typeCategory: 'A' } as const;

/** A column this source reads as text (`"c"::text` in the COPY select): an OID alias or an array of them. */
export type TextCarriedColumn = PgColumn & { readonly carriedFrom: string };

/** Whether `oid` is an OID-alias type or an array of one. */
export function isOidAliasType(oid: number): boolean {
  return SCALAR.has(oid) || ARRAY.has(oid);
}

/**
 * The columns as this source delivers them: an OID-alias column (a domain over one too) becomes
 * `text` (an array of them `text[]`) holding the name as the source prints it (`app.things`,
 * `app.f(integer)`, schema-qualified unless on the reading role's search_path), so the destination
 * gets a `text` column with the names. The exact reg* type is not kept: its values would be
 * resolved against the destination's catalog, and fail for objects that exist only at the source.
 */
export function carryOidAliasesAsText(columns: readonly PgColumn[]): PgColumn[] {
  return columns.map((c) => {
    if (SCALAR.has(c.typeOid))
      return { ...c, ...TEXT, enumLabels: [], carriedFrom: c.typeName } satisfies TextCarriedColumn;
    if (ARRAY.has(c.typeOid))
      return { ...c, ...TEXT_ARRAY, enumLabels: [], carriedFrom: c.typeName } satisfies TextCarriedColumn;
    return c;
  });
}

/** The type a column was carried from when this source reads it as text, else undefined. */
export function carriedFrom(column: { readonly name: string }): string | undefined {
  const from = (column as Partial<TextCarriedColumn>).carriedFrom;
  return typeof from === 'string' ? from : undefined;
}

/** The column in a COPY select list: `"c"`, or `"c"::text AS "c"` for a column carried as text. */
export function selectColumn(column: { readonly name: string; readonly typeName?: string }): string {
  const name = quoteIdent(column.name);
  if (carriedFrom(column) === undefined) return name;
  return `${name}::${(column as { typeOid?: number }).typeOid === TEXT_ARRAY.typeOid ? 'text[]' : 'text'} AS ${name}`;
}
