import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { cdcStreamNames } from '../config/check-schedule.js';
import type { ConfigIssue } from '../config/config-error.js';
import type { ConfigPath } from '../config/config-path.js';
import { IssueCollector } from '../config/issue-collector.js';
import { readYamlTree } from '../config/read-yaml-tree.js';
import { YamlLocations } from '../config/yaml-locations.js';

/**
 * What the project's cross-file checks read from one pipeline file: its name, its `depends_on`
 * names and its CDC streams. Read leniently, also from a file with other errors, so that one
 * broken file does not make its dependents report an "unknown pipeline" too.
 */
export interface PipelineOutline {
  readonly file: string;
  readonly name?: string;
  readonly dependsOn: readonly { readonly pipeline: string; readonly index: number }[];
  readonly cdcStreams: readonly string[];
  readonly hasSchedule: boolean;
  /** An issue located at `path` in this file. */
  issue(path: ConfigPath, message: string): ConfigIssue;
}

/** The outline of `file`, or undefined when it cannot be read or parsed (its own load reports why). */
export function readPipelineOutline(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): PipelineOutline | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  const secrets = new Set<string>();
  const issues = new IssueCollector(file, new YamlLocations(lineCounter), secrets);
  const data = readYamlTree({ doc, env, issues, secrets }) as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const dependsOn = Array.isArray(data.depends_on)
    ? data.depends_on.flatMap((d: unknown, index) => {
        const pipeline = (d as { pipeline?: unknown } | null)?.pipeline;
        return typeof pipeline === 'string' ? [{ pipeline, index }] : [];
      })
    : [];
  return {
    file,
    ...(typeof data.pipeline === 'string' && { name: data.pipeline }),
    dependsOn,
    cdcStreams: cdcStreamNames(data),
    hasSchedule: data.schedule !== undefined && data.schedule !== null,
    issue(path, message) {
      const scratch = new IssueCollector(file, issues.locations, secrets);
      scratch.add(path, message);
      return scratch.issues[0] as ConfigIssue;
    },
  };
}
