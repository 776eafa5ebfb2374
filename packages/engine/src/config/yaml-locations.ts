import type { LineCounter } from 'yaml';
import { toPointer, type ConfigPath } from './config-path.js';

/** Where one node of the config sits in the file, and how its value may be shown. */
export interface NodeLocation {
  /** Offset of the mapping key that names this node (absent for array items and the root). */
  readonly keyOffset?: number;
  /** Offset of the value node (absent for `key:` with no value). */
  readonly valueOffset?: number;
  /** The scalar as written, when it held `${...}`: messages show this, never the value. */
  readonly template?: string;
  /** The value is a secret (secret-named key or variable); messages never show it. */
  readonly secret: boolean;
}

/** 1-based line and column. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** Maps config paths to positions in the YAML source. */
export class YamlLocations {
  readonly #lineCounter: LineCounter;
  readonly #nodes = new Map<string, NodeLocation>();

  constructor(lineCounter: LineCounter) {
    this.#lineCounter = lineCounter;
  }

  set(path: ConfigPath, location: NodeLocation): void {
    this.#nodes.set(toPointer(path), location);
  }

  get(path: ConfigPath): NodeLocation | undefined {
    return this.#nodes.get(toPointer(path));
  }

  /**
   * Position of `path`: its key (`prefer: 'key'`, used for unknown keys) or its value; a path
   * that is not in the file (a missing key) resolves to its nearest present ancestor.
   */
  locate(path: ConfigPath, prefer: 'key' | 'value' = 'value'): LineColumn | undefined {
    for (let n = path.length; n >= 0; n--) {
      const node = this.#nodes.get(toPointer(path.slice(0, n)));
      if (node === undefined) continue;
      const offset = prefer === 'key' ? (node.keyOffset ?? node.valueOffset) : (node.valueOffset ?? node.keyOffset);
      if (offset === undefined) continue;
      const pos = this.#lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    }
    return undefined;
  }
}
