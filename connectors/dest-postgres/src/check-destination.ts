import { describeError, pg, type CheckReport, type OperationInput, type Step } from '@rapidbyte/sdk';
import { destSettings, type DestConfig } from './dest-config.js';
import { closeQuietly, openConnection } from '@rapidbyte/sdk';
import { quoteIdent } from '@rapidbyte/sdk/postgres';

/** `$1` = schema -> exists, CREATE on the schema, CREATE on the database. */
const SCHEMA_PRIVILEGES_SQL = `SELECT (n.oid IS NOT NULL)::text,
  coalesce(has_schema_privilege(n.oid, 'CREATE'), false)::text,
  has_database_privilege(current_user, current_database(), 'CREATE')::text
FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $1`;

type CheckItem = CheckReport['items'][number];

/** `check`: connect, run a query, and see that the target schema exists or can be created. */
export function* checkDestination({ config, context }: OperationInput<DestConfig>): Step<CheckReport> {
  const items: CheckItem[] = [];
  const { schema } = destSettings(config);
  let conn: number | undefined;
  try {
    conn = yield* openConnection(config, `rapidbyte/${context.pipeline ?? 'check'}`);
    items.push({ name: 'connect', ok: true, message: 'connected' });
  } catch (error) {
    items.push({ name: 'connect', ok: false, message: describeError(error) });
    return { items };
  }
  try {
    yield* pg.query(conn, 'select 1');
    items.push({ name: 'query', ok: true, message: 'select 1' });
    const [exists, canCreateIn, canCreateSchema] =
      (yield* pg.query(conn, SCHEMA_PRIVILEGES_SQL, [schema])).rows[0] ?? [];
    const name = quoteIdent(schema);
    if (exists === 't' || exists === 'true') {
      const ok = canCreateIn === 't' || canCreateIn === 'true';
      items.push({
        name: 'schema',
        ok,
        message: ok ? `${name} exists, tables can be created in it` : `no CREATE privilege on schema ${name}`,
      });
    } else {
      const ok = canCreateSchema === 't' || canCreateSchema === 'true';
      items.push({
        name: 'schema',
        ok,
        message: ok
          ? `${name} does not exist and will be created`
          : `${name} does not exist and this user may not create schemas`,
      });
    }
  } catch (error) {
    items.push({ name: 'query', ok: false, message: describeError(error) });
  }
  yield* closeQuietly(conn);
  return { items };
}
