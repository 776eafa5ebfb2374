import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap } from 'yaml';
import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import { deepFreeze } from '../config/deep-freeze.js';
import { IssueCollector } from '../config/issue-collector.js';
import { loadPipelineConfig, type ConnectorSchemaResolver } from '../config/load-pipeline-config.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import { readYamlTree } from '../config/read-yaml-tree.js';
import { validateWithSchema } from '../config/schema-validator.js';
import { YamlLocations } from '../config/yaml-locations.js';
import { checkProjectDependencies } from './check-project-dependencies.js';
import { readPipelineOutline } from './pipeline-outline.js';
import { PROJECT_SCHEMA } from './project-schema.js';

/** File names a project folder's project file may have; without one, every YAML file of the folder is a pipeline. */
export const PROJECT_FILE_NAMES = ['project.yaml', 'project.yml'] as const;

/** The pipelines of a project, every one valid and every cross-file rule met. */
export interface Project {
  /** Absolute path of the project file, or of the folder whose YAML files are the pipelines. */
  readonly source: string;
  /** The folder files are shown relative to. */
  readonly root: string;
  /** In the project file's order, or by file name for a folder. */
  readonly pipelines: readonly PipelineConfig[];
}

export interface LoadProjectOptions {
  /** Variables for `${VAR}` (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves the connectors of the pipeline file `file` (a registry rooted at its folder). */
  readonly resolverFor: (file: string) => ConnectorSchemaResolver;
}

type Raw = Record<string, unknown>;

/**
 * True when `target` names a project rather than one pipeline: a folder, or a YAML file whose
 * top level has `pipelines:` (a project file) and no `pipeline:`.
 */
export function isProjectTarget(target: string): boolean {
  try {
    if (statSync(target).isDirectory()) return true;
    const doc = parseDocument(readFileSync(target, 'utf8'));
    return isMap(doc.contents) && doc.contents.has('pipelines') && !doc.contents.has('pipeline');
  } catch {
    return false;
  }
}

/**
 * Loads a project: a folder of pipeline files (every `*.yaml`/`*.yml` directly in it, by name),
 * a folder holding a `project.yaml`, or a project file (`pipelines: [a.yaml, sub/b.yaml]`,
 * relative to it). Validates every pipeline and the rules across them (unique names, known
 * `depends_on` names, no depending on a CDC pipeline, no cycles) and throws one
 * {@link ConfigError} listing every issue of every file, each with file:line; never stops at the
 * first broken file.
 */
export function loadProject(target: string, options: LoadProjectOptions): Project {
  const abs = path.resolve(target);
  const listing = listPipelineFiles(abs, options.env);
  const issues: ConfigIssue[] = [...listing.issues];
  const pipelines: PipelineConfig[] = [];
  for (const file of listing.files) {
    try {
      pipelines.push(loadPipelineConfig(file, { env: options.env, resolveConnector: options.resolverFor(file) }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  }
  const outlines = listing.files.flatMap((f) => readPipelineOutline(f, options.env) ?? []);
  issues.push(...checkProjectDependencies(outlines, listing.root));
  if (issues.length > 0) {
    const order = new Map(listing.files.map((f, i) => [f, i]));
    const rank = (i: ConfigIssue) => order.get(i.file) ?? -1;
    const sorted = [...issues].sort(
      (a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    throw new ConfigError(sorted, 'project');
  }
  return deepFreeze({ source: listing.source, root: listing.root, pipelines });
}

interface Listing {
  readonly source: string;
  readonly root: string;
  readonly files: readonly string[];
  readonly issues: readonly ConfigIssue[];
}

function listPipelineFiles(target: string, env: Readonly<Record<string, string | undefined>>): Listing {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(target).isDirectory();
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return {
      source: target,
      root: path.dirname(target),
      files: [],
      issues: [{ file: target, path: '', message: `cannot read project (${reason})` }],
    };
  }
  if (!isDirectory) return readProjectFile(target, env);
  const names = readdirSync(target).sort();
  const projectFile = PROJECT_FILE_NAMES.find((n) => names.includes(n));
  if (projectFile !== undefined) return readProjectFile(path.join(target, projectFile), env);
  const files = names
    .filter((n) => /\.ya?ml$/i.test(n))
    .map((n) => path.join(target, n))
    .filter((f) => statSync(f).isFile());
  if (files.length === 0) {
    return {
      source: target,
      root: target,
      files,
      issues: [
        { file: target, path: '', message: 'no pipeline files (*.yaml, *.yml) in this folder, and no project.yaml' },
      ],
    };
  }
  return { source: target, root: target, files, issues: [] };
}

function readProjectFile(file: string, env: Readonly<Record<string, string | undefined>>): Listing {
  const root = path.dirname(file);
  const none = (issue: ConfigIssue): Listing => ({ source: file, root, files: [], issues: [issue] });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return none({
      file,
      path: '',
      message: `cannot read project file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const pos = lineCounter.linePos((doc.errors[0] as { pos: [number, number] }).pos[0]);
    return none({
      file,
      line: pos.line,
      column: pos.col,
      path: '',
      message: `YAML syntax error: ${(doc.errors[0] as Error).message.split('\n')[0]}`,
    });
  }
  const secrets = new Set<string>();
  const issues = new IssueCollector(file, new YamlLocations(lineCounter), secrets);
  const data = readYamlTree({ doc, env, issues, secrets });
  if (typeof data === 'object' && data !== null && 'pipeline' in data && !('pipelines' in data)) {
    return none({
      file,
      path: '',
      message:
        'this is a pipeline file, not a project: pass the folder of the pipeline files, or a project file listing them (pipelines: [a.yaml, sub/b.yaml])',
    });
  }
  validateWithSchema(PROJECT_SCHEMA, data, [], issues, 'project schema', true);
  const files: string[] = [];
  const listed = (data as Raw | null)?.pipelines;
  if (issues.issues.length === 0 && Array.isArray(listed)) {
    listed.forEach((entry: string, index) => {
      const resolved = path.resolve(root, entry);
      if (files.includes(resolved)) {
        issues.add(['pipelines', index], `${entry} is listed twice`);
        return;
      }
      let isFile = false;
      try {
        isFile = statSync(resolved).isFile();
      } catch {
        // reported below
      }
      if (!isFile)
        issues.add(
          ['pipelines', index],
          `no such pipeline file: ${entry} (paths are relative to the project file's folder)`,
        );
      else files.push(resolved);
    });
  }
  return { source: file, root, files, issues: issues.issues };
}
