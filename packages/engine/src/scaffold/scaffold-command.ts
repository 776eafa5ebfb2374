import type { Command } from 'commander';
import { errorCodeInfo } from '@rapidbyte/sdk/contract';
import { ScaffoldError } from './scaffold-error.js';
import { scaffoldConnector } from './scaffold-connector.js';
import { SCAFFOLD_KINDS, type ScaffoldKind } from './scaffold-kinds.js';

/**
 * `rapidbyte scaffold source|destination|transform <name> [--dir <folder>]`: creates a connector
 * folder (default `./<name>`) and prints the next steps.
 */
export function registerScaffoldCommand(program: Command): Command {
  return program
    .command('scaffold')
    .description(`create a connector folder (${SCAFFOLD_KINDS.join(' | ')}) that builds and tests out of the box`)
    .argument('<kind>', SCAFFOLD_KINDS.join(' | '))
    .argument('<name>', 'connector name: lower case letters, digits and dashes')
    .option('--dir <folder>', 'folder to create (default: ./<name>)')
    .action(async (kind: string, name: string, options: { dir?: string }) => {
      try {
        const result = await scaffoldConnector({ kind: kind as ScaffoldKind, name, dir: options.dir ?? name });
        const lines = [
          `created ${kind} connector ${name} in ${result.dir} (${result.files.length} files)`,
          ...(result.missing.length > 0 ? [`install first: npm install --save-dev ${result.missing.join(' ')}`] : []),
          'next:',
          `  cd ${options.dir ?? name}`,
          '  npm run build   # -> build/connector.wasm',
          '  npm test        # harness tests, no database needed',
          `  then in a pipeline.yaml: use: ./${name}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (error) {
        if (!(error instanceof ScaffoldError)) throw error;
        process.stderr.write(`rapidbyte scaffold: ${error.message}\n`);
        // every scaffold refusal is a config error in the code registry (exit 2), like the CLI's own
        process.exitCode = errorCodeInfo(error.code).exit;
      }
    });
}
