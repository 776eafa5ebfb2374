export { formatRunSummary } from './summary-table.js';
import type { CheckItem } from '../orchestrator/check-pipeline.js';

export function formatCheck(items: readonly CheckItem[]): string {
  return items.map((i) => `${i.ok ? 'OK    ' : 'FAILED'}  ${i.role} ${i.connector}: ${i.name}${i.message ? ` — ${i.message}` : ''}`).join('\n');
}
