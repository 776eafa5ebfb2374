import path from 'node:path';
import type { ConfigIssue } from '../config/config-error.js';
import { closestName } from '../schedule/closest-name.js';
import { findCycles } from './find-cycles.js';
import type { PipelineOutline } from './pipeline-outline.js';

const MAX_LISTED = 12;

/**
 * The checks that need every pipeline of the project: a name used by two files (naming both),
 * `depends_on` naming a pipeline the project does not have (with the closest name), depending on
 * a CDC pipeline (it never finishes a run), and dependency cycles (the path, `a → b → a`).
 * `root`: the project's folder, to show files relative to it.
 */
export function checkProjectDependencies(outlines: readonly PipelineOutline[], root: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const show = (file: string) => path.relative(root, file) || path.basename(file);
  const byName = new Map<string, PipelineOutline>();
  for (const outline of outlines) {
    if (outline.name === undefined) continue;
    const first = byName.get(outline.name);
    if (first === undefined) {
      byName.set(outline.name, outline);
      continue;
    }
    const line = first.issue(['pipeline'], '').line;
    issues.push(
      outline.issue(
        ['pipeline'],
        `pipeline name '${outline.name}' is also used by ${show(first.file)}${line === undefined ? '' : `:${line}`}; names key a pipeline's state, locks and dependencies, so each file needs its own`,
      ),
    );
  }
  const names = [...byName.keys()];
  for (const outline of outlines) {
    for (const { pipeline, index } of outline.dependsOn) {
      if (pipeline === outline.name) continue; // reported by the file's own load
      const upstream = byName.get(pipeline);
      const at = ['depends_on', index, 'pipeline'];
      if (upstream === undefined) {
        const close = closestName(pipeline, names);
        const hint = close === undefined ? '' : ` (did you mean '${close}'?)`;
        const listed = names.length > MAX_LISTED ? `${names.slice(0, MAX_LISTED).join(', ')}, …` : names.join(', ');
        issues.push(
          outline.issue(at, `unknown pipeline '${pipeline}' in depends_on${hint}; the project's pipelines: ${listed}`),
        );
      } else if (upstream.cdcStreams.length > 0) {
        issues.push(
          outline.issue(
            at,
            `pipeline '${pipeline}' (${show(upstream.file)}) has CDC streams (${upstream.cdcStreams.join(', ')}): it streams continuously under 'rapidbyte run --follow' and never finishes a run, so this pipeline would never start. Depend on batch pipelines only`,
          ),
        );
      }
    }
  }
  const edges = new Map<string, string[]>();
  for (const [name, outline] of byName)
    edges.set(
      name,
      outline.dependsOn.map((d) => d.pipeline),
    );
  for (const cycle of findCycles(names, edges)) {
    const start = byName.get(cycle[0] as string) as PipelineOutline;
    const index = start.dependsOn.find((d) => d.pipeline === cycle[1])?.index ?? 0;
    const files = cycle.slice(0, -1).map((n) => `${n}: ${show((byName.get(n) as PipelineOutline).file)}`);
    issues.push(
      start.issue(
        ['depends_on', index, 'pipeline'],
        `dependency cycle: ${cycle.join(' → ')} (${files.join(', ')}); none of them could ever start. Remove one of these depends_on entries`,
      ),
    );
  }
  return issues;
}
