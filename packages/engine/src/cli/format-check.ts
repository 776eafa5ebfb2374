import type { CheckItem } from '../orchestrator/check-pipeline.js';

/** `check` output: one line per item (OK or FAILED, role, connector, what was checked, why it failed). */
export function formatCheck(items: readonly CheckItem[]): string {
  return items
    .map(
      (i) => `${i.ok ? 'OK    ' : 'FAILED'}  ${i.role} ${i.connector}: ${i.name}${i.message ? ` — ${i.message}` : ''}`,
    )
    .join('\n');
}
