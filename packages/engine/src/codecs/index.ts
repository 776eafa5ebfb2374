export type { PgColumn } from './pg-column.js';
export { PG_OID, PG_BINARY_ENCODING, FIRST_NORMAL_OBJECT_ID } from './pg-oids.js';
export {
  PG_COLUMN_KINDS,
  MAX_DECIMAL128_PRECISION,
  parseNumericTypmod,
  pgColumnKind,
  type PgColumnKind,
} from './pg-column-kind.js';
export { pgColumnToArrowField, arrowFieldToPgType, arrowTypeForKind, pgFieldMetadata } from './pg-arrow-type.js';
export { CopyBinaryDecoder, type CopyBinaryDecoderOptions } from './copy-binary-decoder.js';
export { CopyBinaryEncoder } from './copy-binary-encoder.js';
export { CopyFormatError, COPY_FORMAT_ERROR_CODES, type CopyFormatErrorCode } from './copy-format-error.js';
export { CopyEncodeError, COPY_ENCODE_ERROR_CODES, type CopyEncodeErrorCode } from './copy-encode-error.js';
export { ENCODER_KINDS, encoderKind, type EncoderKind } from './make-column-encoder.js';
export { COPY_BINARY_SIGNATURE, COPY_BINARY_HEADER_LENGTH } from './copy-binary-signature.js';
export { readPgNumericAsDecimal128, writeDecimal128AsPgNumeric, decimalWordsAsBigInt } from './pg-numeric.js';
