// The shape of `rapidbyte run --json` that the e2e tests read.

export interface StreamJson {
  stream: string;
  status: string;
  rowsRead: number;
  rowsWritten: number;
  attempts: number;
  error?: { code: string; kind: string; message: string };
}

export interface RunJson {
  runId: number;
  status: string;
  streams: StreamJson[];
}
