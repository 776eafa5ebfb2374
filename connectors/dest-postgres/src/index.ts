import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import { checkDestination } from './check-destination.js';
import type { DestConfig } from './dest-config.js';
import { writeStream } from './write-stream.js';

/** dest-postgres: check and write (append, replace, upsert; cdc streams with upsert or append). */
export const connector = defineConnector<DestConfig>({
  configSchema,
  check: checkDestination,
  write: writeStream,
});
