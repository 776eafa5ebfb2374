#!/usr/bin/env node
// The `rapidbyte` entry. `pnpm build` also bundles the CLI and the stream worker into one file each
// (`main.bundle.js`, `stream-worker.js` beside this file): loading two bundles instead of two
// graphs of a few hundred modules roughly halves the start-up's module loading.
// `RAPIDBYTE_BUNDLE=off` loads the unbundled modules (so does a build without the bundles).
import { existsSync } from 'node:fs';

const bundle = new URL('./main.bundle.js', import.meta.url);
if (process.env.RAPIDBYTE_BUNDLE !== 'off' && existsSync(bundle)) await import(bundle.href);
else await import('./cli-main.js');
