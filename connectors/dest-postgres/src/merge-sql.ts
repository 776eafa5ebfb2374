import { quoteIdent, quoteQualified } from '@rapidbyte/sdk/postgres';

/** The column of an upsert stage table that numbers rows in arrival order (the last one wins). */
const STAGE_SEQ_COLUMN = '_rb_seq';

/** Name of the temp stage table of the `n`-th upsert transaction of a session: `_rb_stage_<n>`. */
export function stageTableName(n: number): string {
  return `_rb_stage_${n}`;
}

/** The stage table as SQL refers to it: always in the session's temp schema (`"pg_temp"."_rb_stage_1"`). */
export function qualifiedStage(stage: string): string {
  return quoteQualified('pg_temp', stage);
}

/**
 * `CREATE TEMP TABLE "pg_temp"."_rb_stage_<n>" (LIKE target INCLUDING DEFAULTS INCLUDING IDENTITY
 * INCLUDING GENERATED, "_rb_seq" bigserial) ON COMMIT DROP`: the frames of one transaction are
 * COPYed into it, in order, then merged. LIKE copies NOT NULL constraints, so target columns the
 * frame lacks need what fills them in the target too: defaults, identity, generated expressions.
 */
export function stageTableDdl(schema: string, table: string, stage: string): string {
  return (
    `CREATE TEMP TABLE ${qualifiedStage(stage)} ` +
    `(LIKE ${quoteQualified(schema, table)} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED, ${quoteIdent(STAGE_SEQ_COLUMN)} bigserial) ON COMMIT DROP`
  );
}

/**
 * Merges a stage table into the target: the last staged row per key wins (`DISTINCT ON (key) ...
 * ORDER BY key, _rb_seq DESC`), new keys are inserted, existing ones get every non-key column of
 * `columns` from it. When every column is a key column there is nothing to update: `DO NOTHING`.
 * Replaying the same stage changes nothing. `columns` are the frame's columns; `key` ⊆ `columns`.
 * `identityAlways`: the target's identity `GENERATED ALWAYS` columns; when one is written the
 * INSERT says `OVERRIDING SYSTEM VALUE` (the source's value is kept, as COPY keeps it), and none
 * is updated (Postgres only allows DEFAULT there): a matched row keeps its value.
 */
export function mergeStatement(
  schema: string,
  table: string,
  stage: string,
  columns: readonly string[],
  key: readonly string[],
  identityAlways: readonly string[] = [],
): string {
  const cols = columns.map(quoteIdent).join(', ');
  const keyCols = key.map(quoteIdent).join(', ');
  const updates = columns
    .filter((c) => !key.includes(c) && !identityAlways.includes(c))
    .map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`);
  const action = updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
  const overriding = columns.some((c) => identityAlways.includes(c)) ? ' OVERRIDING SYSTEM VALUE' : '';
  return (
    `INSERT INTO ${quoteQualified(schema, table)} (${cols})${overriding}\n` +
    `SELECT DISTINCT ON (${keyCols}) ${cols} FROM ${qualifiedStage(stage)}\n` +
    `ORDER BY ${keyCols}, ${quoteIdent(STAGE_SEQ_COLUMN)} DESC\n` +
    `ON CONFLICT (${keyCols}) ${action}`
  );
}
