/**
 * The durable workflow id of a pipeline's tick: `<pipeline>@<tick ISO>`. The workflow engine runs
 * one workflow per id, so a tick fires once even when two serve processes (or one before and
 * after a restart) reach it.
 */
export function tickWorkflowId(pipeline: string, tickAt: Date): string {
  return `${pipeline}@${tickAt.toISOString()}`;
}

/** The workflow id of a run asked for through the API: never the id of a tick. */
export function triggerWorkflowId(pipeline: string, at: Date, nonce: string): string {
  return `${pipeline}@trigger:${at.toISOString()}:${nonce}`;
}
