/**
 * `config` of transform-map, as `config-schema.json` describes it. Operations apply in this
 * order, all naming the incoming columns: cast, hash, mask, drop, rename.
 */
export interface MapConfig {
  /** `{ column: type }`: int16, int32, int64, float64, utf8, bool, date, timestamp, timestamptz, decimal(p,s). */
  readonly cast?: Readonly<Record<string, string>>;
  /** Columns replaced by the hex sha256 of `salt` + the value's text. */
  readonly hash?: readonly string[];
  readonly salt?: string;
  /** `{ column: replacement }`; `null` replaces by NULL. */
  readonly mask?: Readonly<Record<string, string | null>>;
  readonly drop?: readonly string[];
  /** `{ old_name: new_name }`. */
  readonly rename?: Readonly<Record<string, string>>;
}
