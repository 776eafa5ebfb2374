/** A column as the host needs it to decode/encode COPY BINARY. Mirrors the WIT record `pg-column`. */
export interface PgColumn {
  readonly name: string;
  /**
   * `format_type(atttypid, atttypmod)` of the column, e.g. 'numeric(12,2)',
   * 'character varying(20)', 'public.mood', 'integer[]'.
   */
  readonly typeName: string;
  /** OID of the type to decode/encode (for a domain: its base type's OID). Builtin OIDs are stable. */
  readonly typeOid: number;
  /** `pg_type.typcategory` ('E' enum, 'A' array, 'N' numeric, ...). */
  readonly typeCategory: string;
  readonly nullable: boolean;
  /** Labels of an enum type, in order (only for typeCategory 'E'). */
  readonly enumLabels?: readonly string[];
}
