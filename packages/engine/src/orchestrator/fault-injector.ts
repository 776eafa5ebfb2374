import type { TestFaults } from './engine-options.js';

/**
 * Parses a test-only fault spec (the value of `RAPIDBYTE_TEST_FAULT`): `exit-after-commit:<n>`,
 * `exit-on-commit:<n>`, `exit-after-dead-letters:<n>`, `pause-after-shard-plan:<ms>`,
 * `delay-hub-restart:<ms>`, `mute-hub-stream:<stream>:<n>`, `block-source:<stream>:<n>`,
 * `hold-source-after-commits:<stream>:<n>`. Anything else is no fault.
 */
export function parseTestFault(spec: string | undefined): TestFaults {
  const text = spec ?? '';
  const count = (name: string): number | undefined => {
    const match = new RegExp(`^${name}:(\\d+)$`).exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const perStream = (name: string): { stream: string; n: number } | undefined => {
    const match = new RegExp(`^${name}:(.+):(\\d+)$`).exec(text);
    return match ? { stream: match[1] as string, n: Number(match[2]) } : undefined;
  };
  const exitAfterCommit = count('exit-after-commit');
  const exitOnCommit = count('exit-on-commit');
  const exitAfterDeadLetters = count('exit-after-dead-letters');
  const pauseAfterShardPlanMs = count('pause-after-shard-plan');
  const delayHubRestartMs = count('delay-hub-restart');
  const mute = perStream('mute-hub-stream');
  const block = perStream('block-source');
  const hold = perStream('hold-source-after-commits');
  return {
    ...(exitAfterCommit !== undefined ? { exitAfterCommit } : {}),
    ...(exitOnCommit !== undefined ? { exitOnCommit } : {}),
    ...(exitAfterDeadLetters !== undefined ? { exitAfterDeadLetters } : {}),
    ...(pauseAfterShardPlanMs !== undefined ? { pauseAfterShardPlanMs } : {}),
    ...(delayHubRestartMs !== undefined ? { delayHubRestartMs } : {}),
    ...(mute ? { muteHubStream: { stream: mute.stream, attaches: mute.n } } : {}),
    ...(block ? { blockSource: { stream: block.stream, attempts: block.n } } : {}),
    ...(hold ? { holdSourceAfterCommits: { stream: hold.stream, commits: hold.n } } : {}),
  };
}

/** Raised where an exit fault fires and no `exit` was given (library use, unit tests). */
export class TestFaultFired extends Error {}

/** A countdown that ends the process (`faults.exit`) at its n-th call; a no-op without a count. */
function exitCountdown(n: number | undefined, faults: TestFaults | undefined, what: string): () => void {
  if (n === undefined) return () => undefined;
  let remaining = n;
  return () => {
    remaining -= 1;
    if (remaining !== 0) return;
    if (faults?.exit) faults.exit();
    else throw new TestFaultFired(`test fault: ${what}:${n}`);
  };
}

/** Called after each destination commit, before the state DB records it (`exit-after-commit:<n>`). */
export function faultInjector(faults: TestFaults | undefined): () => void {
  return exitCountdown(faults?.exitAfterCommit, faults, 'exit-after-commit');
}

/**
 * Called the moment a committed checkpoint of a stream attempt reaches the main thread, before it
 * records anything for it (`exit-on-commit:<n>`): the widest window between a destination's COMMIT
 * and the state DB.
 */
export function commitMessageFaultInjector(faults: TestFaults | undefined): () => void {
  return exitCountdown(faults?.exitOnCommit, faults, 'exit-on-commit');
}

/**
 * Called right after a batch of dead letters is written to the state DB, before the checkpoint
 * that follows them is recorded (`exit-after-dead-letters:<n>`, one counter per stream attempt).
 */
export function deadLetterFaultInjector(faults: TestFaults | undefined): () => void {
  return exitCountdown(faults?.exitAfterDeadLetters, faults, 'exit-after-dead-letters');
}
