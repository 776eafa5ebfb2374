import type { ErrorCode } from '@rapidbyte/sdk/contract';

/** Why a scaffold was refused. */
export const SCAFFOLD_ERROR_CODES = [
  'BAD_KIND',
  'BAD_NAME',
  'TARGET_NOT_EMPTY',
] as const satisfies readonly ErrorCode[];
export type ScaffoldErrorCode = (typeof SCAFFOLD_ERROR_CODES)[number];

/** A refused scaffold: nothing was written. */
export class ScaffoldError extends Error {
  constructor(
    readonly code: ScaffoldErrorCode,
    message: string,
    readonly details: { readonly value?: string; readonly allowed?: readonly string[]; readonly dir?: string } = {},
  ) {
    super(message);
    this.name = 'ScaffoldError';
  }
}
