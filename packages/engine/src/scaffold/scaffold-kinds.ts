/** What `rapidbyte scaffold` can create (a connector of one role). */
export const SCAFFOLD_KINDS = ['source', 'destination', 'transform'] as const;
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number];

/** Connector names as manifests accept them. */
export const CONNECTOR_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
