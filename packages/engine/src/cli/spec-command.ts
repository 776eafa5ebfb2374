import { ConnectorRegistry } from '../runtime/connector-registry.js';
import { cliEngineOptions } from './engine-options-from-env.js';
import { EXIT_CODES } from './exit-codes.js';
import { reportFailure } from './report-failure.js';

/** `rapidbyte spec <connector>`: the connector's config JSON Schema on stdout. */
export function specCommand(connector: string, opts: { dir?: string }): number {
  try {
    const registry = new ConnectorRegistry(opts.dir ?? process.cwd(), cliEngineOptions().connectorsPath);
    const found = registry.resolve(connector);
    if (!found) {
      process.stderr.write(
        `rapidbyte: connector '${connector}' not found (searched ${registry.searchPath.join(', ')}); \`rapidbyte connectors\` lists them\n`,
      );
      return EXIT_CODES.configError;
    }
    process.stdout.write(`${JSON.stringify(found.configSchema, null, 2)}\n`);
    return EXIT_CODES.ok;
  } catch (error) {
    return reportFailure(error);
  }
}
