import type { ScaffoldKind } from '../scaffold-kinds.js';

const DESCRIPTIONS: Readonly<Record<ScaffoldKind, string>> = {
  source: 'Reads a JSON-lines file into Arrow frames',
  destination: 'Destination skeleton: counts rows and acknowledges checkpoints',
  transform: 'Transform skeleton: renames columns',
};

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The files every scaffolded connector has, cut like the built-in connectors. */
export function commonFiles(kind: ScaffoldKind, name: string): Record<string, string> {
  return {
    'manifest.json': json({
      name,
      version: '0.1.0',
      description: DESCRIPTIONS[kind],
      roles: [kind],
      entry: 'src/index.ts',
      configSchema: 'config-schema.json',
      // config fields naming what the connector connects to (e.g. ["url", "host"]): their hosts need no allowed_hosts
      endpointFields: [],
    }),
    'package.json': json({
      name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { build: 'tsc --noEmit -p tsconfig.json && rapidbyte-build .', test: 'vitest run' },
      devDependencies: { '@rapidbyte/sdk': '^0.1.0', typescript: '^5.9.0', vitest: '^4.1.0' },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022'],
        types: [],
        strict: true,
        noEmit: true,
        resolveJsonModule: true,
        isolatedModules: true,
        skipLibCheck: true,
      },
      include: ['src'],
    }),
    '.gitignore': 'build/\nnode_modules/\n',
    'README.md': [
      `# ${name}`,
      '',
      `A rapidbyte ${kind} connector (${DESCRIPTIONS[kind].toLowerCase()}).`,
      '',
      '```sh',
      'npm run build   # type-check, then build/connector.wasm and build/bindings',
      'npm test        # runs the built component against the SDK test harness (no database)',
      '```',
      '',
      `Use it from a pipeline with \`use: ./${name}\` (relative to the pipeline file). See the`,
      '`@rapidbyte/sdk` README for the host imports and requests a connector can use.',
      '',
      'If the connector talks to a server, add the config fields that name it to `endpointFields` in',
      '`manifest.json` (e.g. `["url", "host"]`): a pipeline may then reach the hosts in them without',
      'listing them again under `permissions.network.allowed_hosts`.',
      '',
    ].join('\n'),
  };
}
