/** One problem in a pipeline file, located as precisely as the YAML allows. */
export interface ConfigIssue {
  /** Absolute path of the pipeline file. */
  readonly file: string;
  /** 1-based; absent when the problem has no place in the file (e.g. unreadable file). */
  readonly line?: number;
  readonly column?: number;
  /** Key path, e.g. 'source.streams[1].sync_mode'; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

/** `file:line:col: path: message` (the parts that are known). */
export function formatConfigIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.line !== undefined) where += `:${issue.line}`;
  if (issue.line !== undefined && issue.column !== undefined) where += `:${issue.column}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/**
 * The pipeline file is unusable. Carries every issue found (not just the first), each with
 * its location, so a user fixes them all in one round. Never contains secret values.
 */
export class ConfigError extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'CONFIG_INVALID' as const;
  readonly issues: readonly ConfigIssue[];

  /** `subject`: what was invalid, for the headline ('pipeline config', 'project'). */
  constructor(issues: readonly ConfigIssue[], subject = 'pipeline config') {
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
    super(`invalid ${subject} (${count}):\n${issues.map((i) => `  ${formatConfigIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
  }
}
