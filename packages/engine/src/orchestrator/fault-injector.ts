/** Test-only fault injection (`RAPIDBYTE_TEST_FAULT=exit-after-commit:<n>`): exits the process
 * right after the n-th destination commit and before the state DB records it. */
export function faultInjector(env: NodeJS.ProcessEnv): () => void {
  const match = /^exit-after-commit:(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  if (!match) return () => undefined;
  let remaining = Number(match[1]);
  return () => {
    remaining -= 1;
    if (remaining === 0) process.exit(86);
  };
}

/**
 * Test-only (`RAPIDBYTE_TEST_FAULT=exit-on-commit:<n>`): exits the process the moment the n-th
 * committed checkpoint of a stream attempt reaches the main thread, before it records anything for
 * it (dead letters buffered since the last write, the checkpoint): the widest window between a
 * destination's COMMIT and the state DB.
 */
export function commitMessageFaultInjector(env: NodeJS.ProcessEnv): () => void {
  const match = /^exit-on-commit:(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  if (!match) return () => undefined;
  let remaining = Number(match[1]);
  return () => {
    remaining -= 1;
    if (remaining === 0) process.exit(86);
  };
}

/**
 * Test-only (`RAPIDBYTE_TEST_FAULT=exit-after-dead-letters:<n>`): exits the process right after the
 * n-th batch of dead letters is written to the state DB, before the checkpoint that follows them
 * is recorded (one counter per stream attempt).
 */
export function deadLetterFaultInjector(env: NodeJS.ProcessEnv): () => void {
  const match = /^exit-after-dead-letters:(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  if (!match) return () => undefined;
  let remaining = Number(match[1]);
  return () => {
    remaining -= 1;
    if (remaining === 0) process.exit(86);
  };
}

/**
 * Test-only (`RAPIDBYTE_TEST_FAULT=pause-after-shard-plan:<ms>`): how long a sharded stream waits
 * after exporting its snapshot and storing its plan, before the shards start (0: no pause).
 */
export function shardPlanPauseMs(env: NodeJS.ProcessEnv): number {
  const match = /^pause-after-shard-plan:(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  return match ? Number(match[1]) : 0;
}

/**
 * Test-only (`RAPIDBYTE_TEST_FAULT=delay-hub-restart:<ms>`): how long a replication hub waits
 * before it reads again from the slot for a stream that re-attached behind it (0: no wait). It
 * holds open the window in which the re-attached stream is registered but the hub still stands
 * where it was.
 */
export function hubRestartDelayMs(env: NodeJS.ProcessEnv): number {
  const match = /^delay-hub-restart:(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  return match ? Number(match[1]) : 0;
}

/**
 * Test-only (`RAPIDBYTE_TEST_FAULT=mute-hub-stream:<stream>:<n>`): the replication hub delivers
 * nothing (no changes, no idle progress, no end) to the first n attachments of that CDC stream,
 * as a hub that lost track of one subscriber would. What the stall watchdog exists for.
 */
export function hubMuteFault(env: NodeJS.ProcessEnv): { stream: string; attaches: number } | undefined {
  const match = /^mute-hub-stream:(.+):(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  return match ? { stream: match[1] as string, attaches: Number(match[2]) } : undefined;
}

/**
 * Test-only (`RAPIDBYTE_TEST_FAULT=block-source:<stream>:<n>`): in the first n attempts of that
 * stream, the source stage blocks in the host before its first step (no request in flight, so no
 * database wait) — a reader that hangs.
 */
export function blockSourceFault(env: NodeJS.ProcessEnv): { stream: string; attempts: number } | undefined {
  const match = /^block-source:(.+):(\d+)$/.exec(env.RAPIDBYTE_TEST_FAULT ?? '');
  return match ? { stream: match[1] as string, attempts: Number(match[2]) } : undefined;
}
