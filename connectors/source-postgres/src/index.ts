import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import { checkSource } from './check-source.js';
import { discoverCatalog } from './discover-catalog.js';
import { readStream } from './read-stream.js';
import type { SourceConfig } from './source-config.js';

/** source-postgres: check, discover and read (full_refresh, incremental). */
export const connector = defineConnector<SourceConfig>({
  configSchema,
  check: checkSource,
  discover: discoverCatalog,
  read: readStream,
});
