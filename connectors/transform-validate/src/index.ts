import { defineConnector } from '@rapidbyte/sdk';
import configSchema from '../config-schema.json' with { type: 'json' };
import type { ValidateConfig } from './validate-config.js';
import { validateStream } from './validate-stream.js';

/** Validates rows with host-side vectorised rules; rejected rows follow `on_data_error`. */
export const connector = defineConnector<ValidateConfig>({
  configSchema,
  transform: validateStream,
});
