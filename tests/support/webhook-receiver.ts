// A local webhook receiver for e2e tests: answers 503 to the first `failFirst` requests (or never
// answers the first `hangFirst`), 200 after; records every request and checks its signature the
// way the README tells receivers to.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the receiver answered; undefined for a request it left hanging. */
  readonly status?: number;
  /** The X-Rapidbyte-Signature matches HMAC-SHA256(secret, "<timestamp>.<body>"). */
  readonly signatureValid: boolean;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** The bodies of the requests answered 2xx, parsed. */
  delivered(): Record<string, unknown>[];
  close(): Promise<void>;
}

export function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = headers['x-rapidbyte-timestamp'];
  const signature = headers['x-rapidbyte-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startWebhookReceiver(options: {
  secret: string;
  failFirst?: number;
  hangFirst?: number;
}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging: ServerResponse[] = [];
  let seen = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen++;
      const signatureValid = verifySignature(options.secret, req.headers, body);
      if (seen <= (options.hangFirst ?? 0)) {
        requests.push({ headers: req.headers, body, signatureValid });
        hanging.push(res);
        return;
      }
      const status = seen <= (options.hangFirst ?? 0) + (options.failFirst ?? 0) ? 503 : 200;
      requests.push({ headers: req.headers, body, status, signatureValid });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'received' : 'try later');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/rapidbyte`,
    requests,
    delivered: () =>
      requests
        .filter((r) => r.status !== undefined && r.status < 300)
        .map((r) => JSON.parse(r.body) as Record<string, unknown>),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
