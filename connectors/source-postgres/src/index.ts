import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import { checkSource } from './check-source.js';
import { discoverCatalog } from './discover-catalog.js';
import { readStream } from './read-stream.js';
import { resetSource } from './reset-source.js';
import type { SourceConfig } from './source-config.js';

/** source-postgres: check, discover, read (full_refresh, incremental, cdc) and reset (drops the CDC slot). */
export const connector = defineConnector<SourceConfig>({
  configSchema,
  check: checkSource,
  discover: discoverCatalog,
  read: readStream,
  reset: resetSource,
});
