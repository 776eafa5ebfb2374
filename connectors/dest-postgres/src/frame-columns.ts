import type { FrameField, FrameSchema } from '@rapidbyte/sdk';
import { PG_METADATA_KEYS } from '@rapidbyte/sdk/frames';

/** A column as a frame describes it, in Postgres terms. */
export interface FrameColumn {
  readonly name: string;
  /** `format_type` text of the source column, or a type derived from the Arrow type. */
  readonly typeName: string;
  /** `pg_type.typcategory` (`E` enum, `A` array, ...); `U` when unknown. */
  readonly category: string;
  readonly nullable: boolean;
  readonly enumLabels: readonly string[];
  /** For a generated column the frames do not carry: its expression (`GENERATED ALWAYS AS (…) STORED`). */
  readonly generated?: string;
}

export type FrameColumns =
  | { readonly ok: true; readonly columns: FrameColumn[] }
  | { readonly ok: false; readonly column: string; readonly message: string };

/** Postgres types for frames that do not come from Postgres (no `rapidbyte.pg_type`), by Arrow type. */
const ARROW_TO_PG: readonly (readonly [RegExp, string])[] = [
  [/^int8$/i, 'smallint'],
  [/^(int16|uint8)$/i, 'smallint'],
  [/^(int32|uint16)$/i, 'integer'],
  [/^(int64|uint32)$/i, 'bigint'],
  [/^float(16|32)$/i, 'real'],
  [/^float(64)?$/i, 'double precision'],
  [/^bool(ean)?$/i, 'boolean'],
  [/^(large)?utf8$/i, 'text'],
  [/^(large)?binary$/i, 'bytea'],
  [/^date/i, 'date'],
  [/^timestamp.*(utc|\+|tz|zone)/i, 'timestamp with time zone'],
  [/^timestamp/i, 'timestamp without time zone'],
];

/** Reads the Postgres description of every field of a frame schema. */
export function frameColumns(schema: FrameSchema): FrameColumns {
  const columns: FrameColumn[] = [];
  for (const field of schema.fields) {
    const column = frameColumn(field);
    if (!column) {
      return {
        ok: false,
        column: field.name,
        message: `column ${JSON.stringify(field.name)} has Arrow type ${field.type} and no ${PG_METADATA_KEYS.type}; cannot choose a Postgres type`,
      };
    }
    columns.push(column);
  }
  return { ok: true, columns };
}

function frameColumn(field: FrameField): FrameColumn | undefined {
  const meta = field.metadata ?? {};
  const labels = meta[PG_METADATA_KEYS.enumLabels];
  const typeName = meta[PG_METADATA_KEYS.type] || ARROW_TO_PG.find(([re]) => re.test(String(field.type).trim()))?.[1];
  if (!typeName) return undefined;
  return {
    name: field.name,
    typeName,
    category: meta[PG_METADATA_KEYS.category] ?? 'U',
    nullable: field.nullable !== false,
    enumLabels: labels ? (JSON.parse(labels) as string[]) : [],
  };
}
