/** A refusal of `serve` at start (a missing system database, an unsafe bind): exit 2 with the message. */
export class ServeConfigError extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'SERVE_CONFIG_INVALID';
}

/** A control request `serve` refuses: an unknown pipeline, a run not running here, a pipeline already running. */
export class ServeRequestRefused extends Error {
  readonly kind = 'permanent' as const;
  readonly code = 'SERVE_REQUEST_REFUSED';
  /** The HTTP status the API answers with. */
  readonly status: 404 | 409;

  constructor(status: 404 | 409, message: string) {
    super(message);
    this.status = status;
  }
}
