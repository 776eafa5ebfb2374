/**
 * `@rapidbyte/sdk/frames`: the metadata keys and CDC column vocabulary frames carry between the
 * engine and connectors. Constants only (usable in plain Node tests and on the host).
 */
export * from './frame-metadata.js';
export * from './cdc-columns.js';
