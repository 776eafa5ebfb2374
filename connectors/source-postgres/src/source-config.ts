import type { ConnectionConfig } from '@rapidbyte/sdk/postgres';

/** `config` of source-postgres (validated by the engine against config-schema.json). */
export type SourceConfig = ConnectionConfig;
