import { log, pg, type FrameField, type Step } from '@rapidbyte/sdk';
import { PG_METADATA_KEYS } from '@rapidbyte/sdk/frames';
import { arrayElementTypeName, ConnectorError, quoteQualified } from '@rapidbyte/sdk/postgres';
import { createCompositeTypeDdl, TYPE_RESOLVES_SQL, type CompositeTypeSpec } from './composite-metadata.js';
import { withPgType } from './domain-metadata.js';

/**
 * The fields to create a new table from: a column of a composite type (or an array of one) keeps
 * its type name when that resolves at the destination; otherwise the type is created in the
 * destination schema from the source's definition (as enums are) and the column uses it. The
 * values travel in binary, so the attributes must match the source's in number and types.
 */
export function* fieldsWithComposites(
  conn: number,
  stream: string,
  schema: string,
  fields: readonly FrameField[],
  composites: ReadonlyMap<string, CompositeTypeSpec> | undefined,
): Step<readonly FrameField[]> {
  if (!composites || composites.size === 0) return fields;
  const out: FrameField[] = [];
  for (const field of fields) {
    const spec = composites.get(field.name);
    const typeName = field.metadata?.[PG_METADATA_KEYS.type];
    if (spec === undefined || typeName === undefined) {
      out.push(field);
      continue;
    }
    if ((yield* pg.query(conn, TYPE_RESOLVES_SQL, [typeName])).rows[0]?.[0] !== undefined) {
      out.push(field);
      continue;
    }
    const qualified = quoteQualified(schema, spec.type);
    if ((yield* pg.query(conn, TYPE_RESOLVES_SQL, [qualified])).rows[0]?.[0] === undefined) {
      try {
        yield* pg.query(conn, createCompositeTypeDdl(schema, spec));
        log.info(
          `${stream}: created composite type ${qualified} (${spec.attributes.length} attributes) for column ${JSON.stringify(field.name)}`,
        );
      } catch (error) {
        // 42710: created concurrently by another stream of this run
        if (!(error instanceof ConnectorError && error.sqlstate === '42710')) throw error;
      }
    }
    out.push(withPgType(field, arrayElementTypeName(typeName) === undefined ? qualified : `${qualified}[]`));
  }
  return out;
}
