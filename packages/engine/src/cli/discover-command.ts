import type { Catalog } from '@rapidbyte/sdk/contract';
import { qualifiedStreamName, redactSecrets, type PipelineConfig } from '../config/index.js';
import { discoverPipeline } from '../orchestrator/discover-pipeline.js';
import { expandStreamPatterns } from '../orchestrator/expand-stream-patterns.js';
import { displayWidth, padEndDisplay } from './display-width.js';
import { EXIT_CODES } from './exit-codes.js';
import { loadPipeline } from './load-pipeline.js';
import { reportFailure } from './report-failure.js';
import { suggestCursor, type CursorSuggestion } from './suggest-cursor.js';

/** One relation of `rapidbyte discover`, as printed with `--json`. */
export interface DiscoveredStream {
  readonly name: string;
  readonly kind: string;
  readonly columns: Catalog['streams'][number]['columns'];
  readonly primaryKey: readonly string[];
  readonly suggestedCursor?: CursorSuggestion;
  /** The pipeline's streams (after pattern expansion) include it. */
  readonly selected: boolean;
}

/** The catalog with a suggested cursor per relation and whether the pipeline selects it. */
function describeCatalog(config: PipelineConfig, catalog: Catalog): DiscoveredStream[] {
  let selected = new Set<string>();
  try {
    selected = new Set(expandStreamPatterns(config, catalog).source.streams.map((s) => qualifiedStreamName(s.name)));
  } catch {
    // a pattern that selects nothing: discover still shows the catalog
  }
  return catalog.streams.map((s) => {
    const suggestedCursor = suggestCursor(s.columns, s.primaryKey);
    return {
      name: s.name,
      kind: s.kind,
      columns: s.columns,
      primaryKey: s.primaryKey,
      ...(suggestedCursor && { suggestedCursor }),
      selected: selected.has(s.name),
    };
  });
}

/** Text form: a block per relation (`*` marks the pipeline's streams) with its columns. */
function formatCatalog(streams: readonly DiscoveredStream[]): string {
  if (streams.length === 0) return 'no relations found';
  return streams
    .map((s) => {
      const head = `${s.selected ? '*' : ' '} ${s.name} (${s.kind})  primary key: ${s.primaryKey.length ? s.primaryKey.join(', ') : '-'}  suggested cursor: ${s.suggestedCursor?.column ?? '-'}`;
      // display columns, not UTF-16 units: CJK and emoji names take two columns per character
      const width = Math.max(...s.columns.map((c) => displayWidth(c.name)), 0);
      const cols = s.columns.map(
        (c) => `    ${padEndDisplay(c.name, width)}  ${c.type}${c.nullable ? '' : ' not null'}`,
      );
      return [head, ...cols].join('\n');
    })
    .join('\n');
}

/** `rapidbyte discover <pipeline.yaml>`: the source's catalog (streams, columns, types, keys, cursor suggestion). */
export async function discoverCommand(file: string, opts: { json?: boolean }): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    const loaded = loadPipeline(file);
    config = loaded.config;
    const streams = describeCatalog(config, await discoverPipeline(config, loaded.registry));
    const text = opts.json ? JSON.stringify({ source: config.source.use, streams }, null, 2) : formatCatalog(streams);
    process.stdout.write(`${redactSecrets(text, config)}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    return reportFailure(error, config);
  }
}
