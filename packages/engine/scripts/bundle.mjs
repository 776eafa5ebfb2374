// Bundles the built CLI (`dist/cli/cli-main.js`) and the stream worker into `dist/cli/main.bundle.js`
// and `dist/cli/stream-worker.js`. Both bundles sit in `dist/cli/`, one level below `dist/` like
// every module they replace, so the paths modules derive from `import.meta.url` (the package
// manifest, the built-in connectors) stay right; the CLI bundle starts its workers from
// `./stream-worker.js` beside it. Native and optional dependencies, and
// those only `serve` uses, stay external.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

await build({
  entryPoints: { 'main.bundle': `${dist}cli/cli-main.js`, 'stream-worker': `${dist}orchestrator/stream-worker.js` },
  outdir: `${dist}cli`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // libsql loads its platform package at run time; pg-native and cloudflare:sockets are optional;
  // `serve`'s workflow engine and HTTP server load from node_modules when serve runs (never for `run`)
  external: [
    'libsql',
    '@libsql/*',
    'pg-native',
    'cloudflare:sockets',
    '@dbos-inc/*',
    'fastify',
    '@fastify/*',
    'prom-client',
  ],
  // CommonJS dependencies (pg, commander) require Node built-ins
  banner: {
    js: "import { createRequire as __rbCreateRequire } from 'node:module'; const require = __rbCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
