import { resolve } from 'node:path';
import { ConfigError } from '../config/index.js';
import { loadProject } from '../project/index.js';
import { EXIT_CODES } from './exit-codes.js';
import { reportFailure } from './report-failure.js';
import { registryResolver } from './schedule-command.js';

/**
 * `rapidbyte check <dir|project.yaml>`: validates every pipeline of the project and the rules
 * across them first (one report of every issue, exit 2), then checks each pipeline as
 * `check <pipeline.yaml>` does (`checkOne`), in the project's order. Exits with the first
 * failing pipeline's code.
 */
export async function checkProjectCommand(
  target: string,
  checkOne: (file: string) => Promise<number>,
): Promise<number> {
  let files: readonly string[];
  try {
    files = loadProject(target, { env: process.env, resolverFor: registryResolver() }).pipelines.map((p) => p.file);
  } catch (error) {
    if (error instanceof ConfigError) process.stdout.write(`FAILED  project ${resolve(target)}\n`);
    return reportFailure(error);
  }
  process.stdout.write(
    `OK      project ${resolve(target)} (${files.length} pipeline${files.length === 1 ? '' : 's'}: names, depends_on, schedules)\n`,
  );
  let code: number = EXIT_CODES.ok;
  for (const file of files) {
    const result = await checkOne(file);
    if (code === EXIT_CODES.ok) code = result;
  }
  return code;
}
