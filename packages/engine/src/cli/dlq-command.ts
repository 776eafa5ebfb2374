import type { Command } from 'commander';
import { redactSecrets, type PipelineConfig } from '../config/index.js';
import { openStateStore, type DeadLetter } from '../state/index.js';
import { EXIT_CODES } from './exit-codes.js';
import { loadPipeline } from './load-pipeline.js';
import { reportFailure } from './report-failure.js';

/** Options of `rapidbyte dlq list`. */
export interface DlqListOptions {
  /** Only this run's letters. */
  readonly run?: string;
  readonly limit?: string;
  readonly json?: boolean;
}

/** A dead letter as `dlq list --json` prints it: the record parsed back from its JSON text. */
export interface DeadLetterView {
  readonly id?: number;
  readonly runId: number;
  readonly stream: string;
  readonly record: unknown;
  readonly error: string;
  readonly category: string;
  readonly at?: string;
}

function view(letter: DeadLetter): DeadLetterView {
  let record: unknown = letter.record;
  try {
    record = JSON.parse(letter.record) as unknown;
  } catch {
    // stored as text that is not JSON: show it as it is
  }
  return {
    id: letter.id,
    runId: letter.runId,
    stream: letter.stream,
    record,
    error: letter.error,
    category: letter.category,
    at: letter.at,
  };
}

/** The text table of `dlq list`: one letter per line, the record as JSON. */
function formatDeadLetters(letters: readonly DeadLetterView[]): string {
  if (letters.length === 0) return 'no dead letters';
  const lines = letters.map(
    (l) => `${l.at ?? ''}  run ${l.runId}  ${l.stream}  [${l.category}] ${l.error}\n    ${JSON.stringify(l.record)}`,
  );
  return `${lines.join('\n')}\n${letters.length} dead letter(s)`;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value))
    throw Object.assign(new Error(`--${name} must be a positive integer, got ${JSON.stringify(value)}`), {
      code: 'CONFIG_INVALID',
    });
  return Number(value);
}

/** `rapidbyte dlq list <pipeline.yaml> [--run R] [--limit N] [--json]`; resolves to the exit code. */
async function dlqListCommand(
  file: string,
  options: DlqListOptions,
  out: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    config = loadPipeline(file).config;
    const runId = positive('run', options.run);
    const limit = positive('limit', options.limit);
    const state = await openStateStore(config.state);
    try {
      const letters = (await state.listDeadLetters({ pipeline: config.pipeline, runId, limit })).map(view);
      out(
        options.json
          ? `${JSON.stringify(letters, null, 2)}\n`
          : `${redactSecrets(formatDeadLetters(letters), config)}\n`,
      );
      return EXIT_CODES.ok;
    } finally {
      await state.close();
    }
  } catch (error) {
    return reportFailure(error, config);
  }
}

/** Adds `rapidbyte dlq list` to the CLI. */
export function registerDlqCommand(program: Command): Command {
  const dlq = program
    .command('dlq')
    .description('inspect the dead-letter queue: rows a transform or the destination rejected (on_data_error: dlq)');
  dlq
    .command('list')
    .description('list dead letters of a pipeline: run, stream, record, error, category, time')
    .argument('<pipeline.yaml>')
    .option('--run <id>', 'only this run')
    .option('--limit <n>', 'at most N letters (oldest first)')
    .option('--json', 'print as JSON (records parsed)')
    .action(async (file: string, options: DlqListOptions) => {
      process.exitCode = await dlqListCommand(file, options);
    });
  return dlq;
}
