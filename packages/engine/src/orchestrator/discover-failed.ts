/** A `discover` session failed (connection, auth, permissions): carries the connector's error code. */
export class DiscoverFailed extends Error {
  constructor(
    readonly connector: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DiscoverFailed';
  }
}
