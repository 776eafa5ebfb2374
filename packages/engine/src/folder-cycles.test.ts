import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { findCycles } from './project/find-cycles.js';

/**
 * The engine's top-level folders are layers (docs/architecture.md, "Layers"): a folder imports
 * only from folders below it, so no two folders import each other, directly or round a loop.
 * Type-only imports count too: a cycle of types is a cycle of concepts.
 */

const SRC = dirname(fileURLToPath(import.meta.url));

/** `from -> to` folder edges, each with the imports (`file -> imported file`) that make it. */
type FolderEdges = Map<string, Map<string, string[]>>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

/** The top-level folder of a path relative to src; undefined for a file at the top (the package entry). */
function folderOf(path: string): string | undefined {
  const parts = path.split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/** The folder graph of the engine's sources: every relative import (static, dynamic, re-export, type-only) between two folders. */
function folderEdges(root: string): FolderEdges {
  const edges: FolderEdges = new Map();
  for (const file of sourceFiles(root)) {
    const from = folderOf(relative(root, file));
    if (from === undefined) continue;
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), fileName));
      const to = folderOf(target);
      if (to === undefined || to === from || to.startsWith('..')) continue;
      const byTarget = edges.get(from) ?? new Map<string, string[]>();
      edges.set(from, byTarget);
      byTarget.set(to, [...(byTarget.get(to) ?? []), `${relative(root, file)} -> ${target}`]);
    }
  }
  return edges;
}

/** Each folder cycle, one line per step, with the imports that make it (at most three per step). */
function describeCycles(edges: FolderEdges): string[] {
  const order = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
  const adjacency = new Map([...edges].map(([from, byTarget]) => [from, [...byTarget.keys()].sort()]));
  return findCycles(order, adjacency).map((cycle) => {
    const steps = cycle.slice(1).map((to, i) => {
      const from = cycle[i] as string;
      const imports = edges.get(from)?.get(to) ?? [];
      const shown = imports
        .slice(0, 3)
        .map((line) => `\n    ${line}`)
        .join('');
      return `  ${from} -> ${to}${shown}${imports.length > 3 ? `\n    … and ${imports.length - 3} more` : ''}`;
    });
    return `${cycle.join(' -> ')}\n${steps.join('\n')}`;
  });
}

describe('folder layering of packages/engine/src', () => {
  it('reports a cycle between two folders with the files that form it', () => {
    const edges: FolderEdges = new Map([
      ['runtime', new Map([['cdc', ['runtime/request-dispatcher.ts -> cdc/replication-capability.js']]])],
      [
        'cdc',
        new Map([
          ['runtime', ['cdc/replication-hub.ts -> runtime/connect-pg-client.js']],
          ['codecs', ['cdc/x.ts -> codecs/y.js']],
        ]),
      ],
    ]);
    expect(describeCycles(edges)).toEqual([
      'cdc -> runtime -> cdc\n' +
        '  cdc -> runtime\n    cdc/replication-hub.ts -> runtime/connect-pg-client.js\n' +
        '  runtime -> cdc\n    runtime/request-dispatcher.ts -> cdc/replication-capability.js',
    ]);
  });

  it('has no import cycle between top-level folders', () => {
    const edges = folderEdges(SRC);
    expect(edges.size).toBeGreaterThan(5); // the scan found the folders
    const cycles = describeCycles(edges);
    expect(
      cycles,
      `folder import cycles (a folder may import only from the layers below it):\n${cycles.join('\n')}`,
    ).toEqual([]);
  });
});
