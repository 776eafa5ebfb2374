/**
 * One schema change a destination reported (`{ column, change, action, from?, to?, rows? }`) as
 * the line the summary lists: `type_change "amount" int4 -> int8: coerce`. Anything else is
 * shown as JSON, so an unexpected report is visible rather than dropped.
 */
export function describeSchemaChange(change: unknown): string {
  if (typeof change !== 'object' || change === null) return JSON.stringify(change);
  const c = change as {
    column?: unknown;
    change?: unknown;
    action?: unknown;
    from?: unknown;
    to?: unknown;
    rows?: unknown;
  };
  if (typeof c.column !== 'string' || typeof c.change !== 'string' || typeof c.action !== 'string')
    return JSON.stringify(change);
  const types =
    typeof c.from === 'string' ? ` ${c.from} -> ${String(c.to)}` : typeof c.to === 'string' ? ` (${c.to})` : '';
  const rows = typeof c.rows === 'number' ? `, ${c.rows} rows written NULL` : '';
  return `${c.change} ${JSON.stringify(c.column)}${types}: ${c.action}${rows}`;
}
