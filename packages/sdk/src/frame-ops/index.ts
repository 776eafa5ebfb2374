/**
 * `@rapidbyte/sdk/frame-ops`: the host side of the vectorised frame operations transforms request
 * (`frame-cast`, `frame-filter`, `frame-hash`, `frame-mask`, `frame-slice`, `frame-records`). Pure functions over Arrow record
 * batches, shared by the engine's host imports and the testing harness so both behave the same.
 */
export { castFrame } from './frame-cast.js';
export { CAST_TYPES, parseCastType, type CastType, type CastTypeName } from './cast-type.js';
export { filterFrame, type FilterResult, type RowFailure, type SeenKeys } from './frame-filter.js';
export { PREDICATE_KINDS, parsePredicate, type PredicateKind, type PredicateRule } from './frame-predicate.js';
export { HASH_ALGORITHMS, hashColumn, maskColumn, type HashAlgorithm } from './frame-hash.js';
export { FRAME_OP_ERROR_CODES, FrameOpError, type FrameOpErrorCode } from './frame-op-error.js';
export { frameOperationImports, type FrameStore } from './frame-op-imports.js';
export { readColumn, cellText, cellJson, type CellValue } from './column-values.js';
export { takeRows } from './take-rows.js';
export { frameRecords, sliceFrame, type FrameRecord } from './frame-slice.js';
