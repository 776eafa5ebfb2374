import type { PgColumn } from '@rapidbyte/sdk';
import { ConnectorError } from '@rapidbyte/sdk/postgres';
import { carriedFrom, isOidAliasType } from './oid-alias-columns.js';

/**
 * CDC carries an OID-alias column as text by looking up the OIDs pgoutput sends, which the host
 * recognises by the column's type in the Relation message. A domain over an OID alias hides that
 * type, so such a column is refused (before anything is published), naming the way out.
 */
export function refuseDomainOverOidAlias(
  stream: string,
  columns: readonly PgColumn[],
  attTypes: ReadonlyMap<string, number>,
): void {
  for (const column of columns) {
    const from = carriedFrom(column);
    const attType = attTypes.get(column.name);
    if (from === undefined || attType === undefined || isOidAliasType(attType)) continue;
    // a type without a binary form comes as text from pgoutput too: nothing to look up
    if ((column as { textOnly?: boolean }).textOnly === true) continue;
    throw ConnectorError.permanent(
      'CDC_TYPE_UNSUPPORTED',
      `${stream}: column ${JSON.stringify(column.name)} is a domain over ${from}; sync_mode cdc cannot turn its OIDs into names. Leave the column out with the stream's columns list, or use full_refresh or incremental`,
      { stream, column: column.name },
    );
  }
}
