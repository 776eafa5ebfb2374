/**
 * Connector-KV scope of pending resets (`rapidbyte state reset`): the next run tells the
 * destination to ignore its watermark for these streams and clears the marker once the stream
 * has committed again.
 */
export const RESET_SCOPE = 'rapidbyte.reset';

export const resetKey = (pipeline: string, stream: string): string => `${pipeline}/${stream}`;
