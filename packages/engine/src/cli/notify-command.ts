import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { redactSecrets, type PipelineConfig } from '../config/index.js';
import { targetLabel } from '../events/notification-target.js';
import { sendWebhook } from '../events/send-webhook.js';
import type { EventRecord } from '../state/index.js';
import { EXIT_CODES } from './exit-codes.js';
import { loadPipeline } from './load-pipeline.js';
import { reportFailure } from './report-failure.js';

/**
 * `rapidbyte notify test <pipeline.yaml>`: sends a `notification.test` event, signed like any
 * other, to each target and prints each receiver's answer. Nothing is recorded in the state DB.
 */
async function notifyTestCommand(file: string): Promise<number> {
  let config: PipelineConfig | undefined;
  try {
    config = loadPipeline(file).config;
    const cfg = config;
    const targets = cfg.notifications ?? [];
    if (targets.length === 0) {
      process.stderr.write(
        `rapidbyte: pipeline ${cfg.pipeline} has no notifications: add a notifications: list to ${file}\n`,
      );
      return EXIT_CODES.configError;
    }
    const event: EventRecord = {
      id: 0,
      uid: randomUUID(),
      type: 'notification.test',
      at: new Date().toISOString(),
      pipeline: cfg.pipeline,
      payload: {
        message: "a test notification from rapidbyte: this target receives the pipeline's events",
        events: [],
      },
    };
    let failed = 0;
    for (const target of targets) {
      const response = await sendWebhook(
        target,
        { ...event, payload: { ...event.payload, events: target.events } },
        { timeoutMs: target.timeoutMs, now: Date.now() },
      );
      if (!response.ok) failed++;
      const answer = response.body ? `: ${response.body.replace(/\s+/g, ' ').trim()}` : '';
      const line = response.ok
        ? `OK      ${targetLabel(target)}: HTTP ${response.status ?? 200}${answer}`
        : `FAILED  ${targetLabel(target)}: ${response.error ?? 'failed'}${answer}`;
      process.stdout.write(`${redactSecrets(line, cfg)}\n`);
    }
    return failed === 0 ? EXIT_CODES.ok : EXIT_CODES.connectionError;
  } catch (error) {
    return reportFailure(error, config);
  }
}

/** Adds `rapidbyte notify test` to the CLI. */
export function registerNotifyCommand(program: Command): Command {
  const notify = program.command('notify').description('webhook notification targets of a pipeline');
  notify
    .command('test')
    .description(
      "send a signed test event to each notification target of the pipeline and print the receiver's answer (exit 0 when all answered 2xx)",
    )
    .argument('<pipeline.yaml>')
    .action(async (file: string) => {
      process.exitCode = await notifyTestCommand(file);
    });
  return notify;
}
