import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import type { MapConfig } from './map-config.js';
import { mapStream } from './map-stream.js';

/** Renames, drops, casts, hashes and masks columns with the host's vectorised frame operations. */
export const connector = defineConnector<MapConfig>({
  configSchema,
  transform: mapStream,
});
