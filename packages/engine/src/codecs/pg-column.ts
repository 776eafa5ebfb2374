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
  /** Labels of an enum type, in order (typeCategory 'E'; 'A': of an enum array's element type). */
  readonly enumLabels?: readonly string[];
  /**
   * OID of an array column's element type, when the host looked it up before a COPY into it: an
   * enum array's binary value names its element type by the source's OID, which COPY refuses
   * at a destination where the enum has another OID, so the encoder writes this one instead.
   */
  readonly elementOid?: number;
}
