import type { FilterRule } from '@rapidbyte/sdk';

/** `config` of transform-validate, as `config-schema.json` describes it. */
export interface ValidateConfig {
  /** Checks per column, evaluated by the host over whole frames; NULL passes every rule but `not_null`. */
  readonly rules: readonly FilterRule[];
}
