/** A checkpoint marker's payload: the JSON text the source passed and its parsed value. */
export interface CheckpointPayload {
  readonly json: string;
  readonly value: unknown;
}

export type ParsedPayload =
  ({ readonly ok: true } & CheckpointPayload) | { readonly ok: false; readonly message: string };

/**
 * Parses a marker's payload. It is stored as the watermark (`jsonb`) and reported back to the
 * engine, so anything that is not a JSON object or array (or `null`) is refused.
 */
export function parseCheckpointPayload(text: string): ParsedPayload {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `checkpoint payload is not JSON (${(error as Error).message}): ${preview(text)}` };
  }
  if (value !== null && typeof value !== 'object') {
    return { ok: false, message: `checkpoint payload is not a JSON object: ${preview(text)}` };
  }
  return { ok: true, json: text, value };
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
