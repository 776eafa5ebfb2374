import type { ConfigIssue } from './config-error.js';
import { formatPath, type ConfigPath } from './config-path.js';
import type { YamlLocations } from './yaml-locations.js';

const MAX_SHOWN_VALUE = 80;

/** Gathers located issues for one file and renders values without leaking secrets. */
export class IssueCollector {
  readonly #issues: ConfigIssue[] = [];

  constructor(
    readonly file: string,
    readonly locations: YamlLocations,
    readonly secrets: ReadonlySet<string>,
  ) {}

  get issues(): readonly ConfigIssue[] {
    return this.#issues;
  }

  /** Records `message` at `path` (at its key with `prefer: 'key'`, e.g. for unknown keys). */
  add(path: ConfigPath, message: string, prefer: 'key' | 'value' = 'value'): void {
    const pos = this.locations.locate(path, prefer);
    this.#issues.push({ file: this.file, line: pos?.line, column: pos?.column, path: formatPath(path), message });
  }

  /**
   * The value at `path` as a message may show it: `${VAR}` as written for interpolated values,
   * '(hidden)' for secrets, otherwise JSON (truncated).
   */
  show(path: ConfigPath, value: unknown): string {
    const loc = this.locations.get(path);
    if (loc?.secret === true) return '(hidden)';
    if (loc?.template !== undefined) return JSON.stringify(loc.template);
    const json = JSON.stringify(value) ?? String(value);
    if ([...this.secrets].some((s) => json.includes(s))) return '(hidden)';
    return json.length > MAX_SHOWN_VALUE ? `${json.slice(0, MAX_SHOWN_VALUE)}…` : json;
  }
}
