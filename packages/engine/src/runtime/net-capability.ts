import { open } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import type { HttpRequest, HttpResponse } from '@rapidbyte/sdk/contract';
import { checkHost, checkPath, type CapabilityPolicy } from './capability-policy.js';

interface SocketState {
  readonly socket: Socket;
  readonly chunks: Buffer[];
  ended: boolean;
  error: Error | undefined;
  wake: (() => void) | undefined;
}

/** Generic TCP, HTTP and read-only file capabilities (the portable slow path), all policy-checked. */
export class NetCapability {
  readonly #sockets = new Map<number, SocketState>();
  #nextId = 1;

  constructor(readonly policy: CapabilityPolicy) {}

  async http(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    checkHost(this.policy, url.hostname, Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
    const response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body ? Buffer.from(request.body) : undefined,
      redirect: 'manual',
    });
    return {
      status: response.status,
      headers: [...response.headers.entries()],
      body: new Uint8Array(await response.arrayBuffer()),
    };
  }

  async tcpConnect(host: string, port: number): Promise<number> {
    checkHost(this.policy, host, port);
    const socket = connect({ host, port });
    const state: SocketState = { socket, chunks: [], ended: false, error: undefined, wake: undefined };
    const wake = (): void => {
      const w = state.wake;
      state.wake = undefined;
      w?.();
    };
    socket.on('data', (chunk: Buffer) => {
      state.chunks.push(chunk);
      wake();
    });
    socket.on('end', () => {
      state.ended = true;
      wake();
    });
    socket.on('error', (error) => {
      state.error = error;
      wake();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const id = this.#nextId++;
    this.#sockets.set(id, state);
    return id;
  }

  async tcpRead(id: number, maxBytes: number): Promise<Uint8Array> {
    const state = this.#socket(id);
    while (state.chunks.length === 0 && !state.ended && !state.error) {
      await new Promise<void>((resolve) => (state.wake = resolve));
    }
    if (state.error) throw state.error;
    const chunk = state.chunks.shift();
    if (!chunk) return new Uint8Array(0);
    if (chunk.length > maxBytes) {
      state.chunks.unshift(chunk.subarray(maxBytes));
      return chunk.subarray(0, maxBytes);
    }
    return chunk;
  }

  async tcpWrite(id: number, bytes: Uint8Array): Promise<void> {
    const state = this.#socket(id);
    await new Promise<void>((resolve, reject) => state.socket.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  tcpClose(id: number): void {
    this.#sockets.get(id)?.socket.destroy();
    this.#sockets.delete(id);
  }

  async fsRead(path: string, offset: bigint, length: number): Promise<Uint8Array> {
    const real = await checkPath(this.policy, path);
    const handle = await open(real, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(length, 16 * 1024 * 1024));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, Number(offset));
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  closeAll(): void {
    for (const state of this.#sockets.values()) state.socket.destroy();
    this.#sockets.clear();
  }

  #socket(id: number): SocketState {
    const state = this.#sockets.get(id);
    if (!state) throw Object.assign(new Error(`unknown socket ${id}`), { kind: 'permanent', code: 'BAD_HANDLE' });
    return state;
  }
}
