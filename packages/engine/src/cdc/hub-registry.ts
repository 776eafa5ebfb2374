import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { classifyError } from '../errors/classify-error.js';
import type { HubAttach, HubToWorker, WorkerToHub } from './hub-protocol.js';
import { ReplicationHub, type HubOptions, type HubStallProbe, type HubSummary } from './replication-hub.js';

/** Hub settings shared by every source of a run. */
export type RegistryOptions = HubOptions;

function hubKey(attach: HubAttach): string {
  const c = attach.connect;
  return JSON.stringify([c.host, c.port, c.database, c.user, attach.slot]);
}

/**
 * The main thread's side of CDC for one run: hands each CDC stream attempt a MessagePort, and
 * attaches it to the replication hub of its source (created on first use, one per slot).
 */
export class HubRegistry {
  readonly #hubs = new Map<string, ReplicationHub>();
  /** stream -> the source summary of its hub, filled by close(). */
  readonly #streamHub = new Map<string, ReplicationHub>();
  #stopped = false;
  readonly #finished = new Set<string>();
  /** stream -> the hub side of its current attempt's port (a late detach of an earlier attempt must not detach it). */
  readonly #current = new Map<string, MessagePort>();

  constructor(readonly options: RegistryOptions) {}

  /** A port for one attempt of `stream` (transfer it to the worker). */
  portFor(stream: string): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.#current.set(stream, port2);
    let hub: ReplicationHub | undefined;
    const reply = (id: number, value?: unknown, error?: unknown): void => {
      const message: HubToWorker =
        error === undefined ? { t: 'reply', id, value } : { t: 'reply', id, error: classifyError(error) };
      port2.postMessage(message);
    };
    const detach = (): void => {
      void hub?.detach(stream, port2);
    };
    port2.on('message', (m: WorkerToHub) => {
      switch (m.t) {
        case 'open':
          hub = this.#hubFor(m.attach);
          this.#streamHub.set(stream, hub);
          hub.attach({ ...m.attach, stream }, port2).then(
            () => {
              reply(m.id, true);
              if (this.#stopped) hub?.stop();
            },
            (error: unknown) => reply(m.id, undefined, error),
          );
          break;
        case 'snapshot':
          if (!hub) reply(m.id, undefined, new Error('snapshot before open'));
          else
            hub.snapshot(stream).then(
              (v) => reply(m.id, v),
              (error: unknown) => reply(m.id, undefined, error),
            );
          break;
        case 'snapshot-done':
          if (!hub) reply(m.id, undefined, new Error('snapshot-done before open'));
          else
            hub.snapshotDone(stream).then(
              () => reply(m.id, true),
              (error: unknown) => reply(m.id, undefined, error),
            );
          break;
        case 'credit':
          hub?.credit(stream, m.n, port2);
          break;
        case 'committed':
          hub?.committed(stream, m.lsn);
          break;
        case 'detach':
          detach();
          port2.close();
          break;
      }
    });
    port2.on('close', detach);
    return port1;
  }

  /**
   * A stream attempt ended (its worker exited): it is detached now. `lastCommitted` is the payload
   * of the last checkpoint its destination committed, as the worker reported it to the main
   * thread — the port's own `committed` message may still be in flight.
   */
  detached(stream: string, lastCommitted?: string): void {
    const hub = this.#streamHub.get(stream);
    if (!hub) return;
    const lsn = lastCommitted === undefined ? undefined : (JSON.parse(lastCommitted) as { lsn?: unknown } | null)?.lsn;
    if (typeof lsn === 'string') hub.committed(stream, lsn);
    void hub.detach(stream, this.#current.get(stream));
  }

  /** The stall watchdog's view of `stream` on its hub (undefined while it snapshots or is not attached). */
  stallProbe(stream: string): HubStallProbe | undefined {
    return this.#streamHub.get(stream)?.stallProbe(stream);
  }

  /** A stream is done for this run (no more attempts): no hub waits for it to attach. */
  finished(stream: string): void {
    this.#finished.add(stream);
    for (const hub of this.#hubs.values()) hub.forget(stream);
  }

  /** SIGINT/SIGTERM: streams end at their next transaction boundary. */
  stop(): void {
    this.#stopped = true;
    for (const hub of this.#hubs.values()) hub.stop();
  }

  /** Closes every hub; per stream, its source's acknowledged LSN and slot lag. */
  async close(): Promise<Map<string, HubSummary>> {
    const summaries = new Map<ReplicationHub, HubSummary>();
    for (const hub of new Set(this.#streamHub.values())) summaries.set(hub, await hub.close());
    const byStream = new Map<string, HubSummary>();
    for (const [stream, hub] of this.#streamHub) byStream.set(stream, summaries.get(hub) ?? {});
    return byStream;
  }

  #hubFor(attach: HubAttach): ReplicationHub {
    const key = hubKey(attach);
    let hub = this.#hubs.get(key);
    if (!hub || hub.failed) {
      if (hub) void hub.close();
      hub = new ReplicationHub(
        {
          connect: attach.connect,
          slot: attach.slot,
          publication: attach.publication,
          slotCreateTimeoutMs: attach.slotCreateTimeoutMs,
          streamTransactions: attach.streamTransactions,
        },
        this.options,
      );
      this.#hubs.set(key, hub);
      for (const stream of this.#finished) hub.forget(stream);
    }
    return hub;
  }
}
