#!/usr/bin/env node
import { buildConnector } from './build-connector.js';

/** `rapidbyte-build [dir...]`: builds each connector folder (default: the current directory). */
async function main(argv: string[]): Promise<number> {
  const dirs = argv.length > 0 ? argv : ['.'];
  for (const dir of dirs) {
    try {
      const built = await buildConnector(dir);
      const t = built.timingsMs;
      process.stdout.write(
        `built ${built.manifest.name}@${built.manifest.version} (${built.manifest.roles.join(', ')}): ` +
          `bundle ${t.bundle.toFixed(0)} ms, componentize ${t.componentize.toFixed(0)} ms, transpile ${t.transpile.toFixed(0)} ms\n`,
      );
    } catch (error) {
      process.stderr.write(`rapidbyte-build: ${dir}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
