import { ConnectorError, deadLetter, log, type DataErrorPolicy, type RowFailure } from '@rapidbyte/sdk';

/** How many failures the host describes per frame: `fail` needs the first, `dlq` every one. */
export function detailsNeeded(policy: DataErrorPolicy): number {
  return policy === 'dlq' ? 0xffff_ffff : policy === 'fail' ? 1 : 0;
}

/**
 * Applies the policy to one frame's rejected rows. `fail` throws a permanent `VALIDATION_FAILED`
 * naming stream, column, reason and the row's values; `skip` logs the count; `dlq` sends each
 * row to the dead-letter queue (category `validation`). Returns the rows dropped.
 */
export function handleRejected(
  policy: DataErrorPolicy,
  stream: string,
  failedCount: number,
  failures: readonly RowFailure[],
): number {
  if (failedCount === 0) return 0;
  if (policy === 'fail') {
    const first = failures[0] as RowFailure;
    throw ConnectorError.permanent(
      'VALIDATION_FAILED',
      `stream ${stream}: column ${first.column} ${first.rule}: ${first.reason}; row ${JSON.stringify(first.record)} (${failedCount} row(s) of this frame failed; set on_data_error: skip or dlq to keep going)`,
      { stream, column: first.column },
    );
  }
  if (policy === 'dlq') {
    for (const f of failures) deadLetter(f.record, `column ${f.column} ${f.rule}: ${f.reason}`, 'validation');
  }
  log.warn(
    `stream ${stream}: ${policy === 'dlq' ? 'sent to the dead-letter queue' : 'skipped'} ${failedCount} row(s) that failed validation`,
  );
  return failedCount;
}
