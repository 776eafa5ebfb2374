#!/usr/bin/env node
// The installed `rapidbyte` command. It lives outside `dist/` so that package managers can link it
// at install time, before the first build; it only loads the built CLI.
try {
  await import('../dist/cli/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    process.stderr.write('rapidbyte is not built yet: run `pnpm build` in the repository first\n');
    process.exit(1);
  }
  throw error;
}
