import type { ConnectionConfig } from '@rapidbyte/sdk/postgres';
import type { CdcConfig } from './cdc-names.js';

/** `config` of source-postgres (validated by the engine against config-schema.json). */
export type SourceConfig = ConnectionConfig & {
  readonly cdc?: CdcConfig;
  /** Copy only the rows the role's row-level security policies allow (default: refuse such tables). */
  readonly row_security?: boolean;
};
