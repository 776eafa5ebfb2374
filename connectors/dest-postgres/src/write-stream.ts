import { ConnectorError, type OperationInput, type Step, type TransferSummary } from '@rapidbyte/sdk';
import { destSettings, type DestConfig } from './dest-config.js';
import { readFirstFrame } from './frame-input.js';
import { closeQuietly, openConnection } from '@rapidbyte/sdk';
import { quoteQualified } from '@rapidbyte/sdk/postgres';
import { withStreamContext } from '@rapidbyte/sdk/postgres';
import { ensureSchema } from './target-table.js';
import { writeAppend } from './write-append.js';
import { writeReplace } from './write-replace.js';

/** The write modes this version of the connector loads with (upsert arrives later). */
export const SUPPORTED_WRITE_MODES = ['append', 'replace'] as const;

/** `write`: connects, makes sure the schema exists, and loads the stream with its write mode. */
export function* writeStream({ config, context }: OperationInput<DestConfig>): Step<TransferSummary> {
  const stream = context.stream;
  if (!stream) throw ConnectorError.permanent('NO_STREAM', 'write needs a stream in the session context');
  if (!(SUPPORTED_WRITE_MODES as readonly string[]).includes(stream.writeMode)) {
    throw ConnectorError.permanent(
      'UNSUPPORTED_WRITE_MODE',
      `${stream.name}: write_mode ${stream.writeMode} is not supported yet by dest-postgres; use one of ${SUPPORTED_WRITE_MODES.join(', ')}`,
      { stream: stream.name },
    );
  }
  const settings = destSettings(config);
  const target = quoteQualified(settings.schema, stream.destinationTable);
  let conn: number | undefined;
  try {
    conn = yield* openConnection(config, `rapidbyte/${context.pipeline}`);
    yield* ensureSchema(conn, settings.schema);
    const input = yield* readFirstFrame();
    const result =
      stream.writeMode === 'replace'
        ? yield* writeReplace(conn, settings, stream, input)
        : yield* writeAppend(conn, settings, stream, input);
    // the data is committed: a failure to close changes nothing
    yield* closeQuietly(conn);
    conn = undefined;
    return result;
  } catch (error) {
    yield* closeQuietly(conn);
    throw withStreamContext(error, stream.name, `${stream.writeMode} into ${target}`);
  }
}
