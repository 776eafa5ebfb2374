import { log, pg, type FrameField, type Step } from '@rapidbyte/sdk';
import { PG_METADATA_KEYS } from '@rapidbyte/sdk/frames';
import { DOMAIN_BASE_SQL, withPgType } from './domain-metadata.js';

/**
 * The fields to create a new table from: a column whose type is a domain at the source gets that
 * domain when the destination has a domain of the same (qualified) name over the same base type;
 * otherwise it keeps the base type, with a warning naming the domain to create for next time.
 */
export function* fieldsWithDomains(
  conn: number,
  stream: string,
  fields: readonly FrameField[],
  domains: ReadonlyMap<string, string> | undefined,
): Step<readonly FrameField[]> {
  if (!domains || domains.size === 0) return fields;
  const out: FrameField[] = [];
  for (const field of fields) {
    const domain = domains.get(field.name);
    const base = field.metadata?.[PG_METADATA_KEYS.type];
    if (domain === undefined || base === undefined) {
      out.push(field);
      continue;
    }
    const here = (yield* pg.query(conn, DOMAIN_BASE_SQL, [domain])).rows[0]?.[0];
    if (here === base) {
      out.push(withPgType(field, domain));
      continue;
    }
    log.warn(
      here === undefined
        ? `${stream}: column ${JSON.stringify(field.name)} is of domain ${domain} at the source, which the destination lacks; it is created as ${base}. Create the domain at the destination (over ${base}) before the table is created to keep it`
        : `${stream}: column ${JSON.stringify(field.name)} is of domain ${domain} at the source; the destination's ${domain} is over ${here}, not ${base}, so the column is created as ${base}`,
    );
    out.push(field);
  }
  return out;
}
