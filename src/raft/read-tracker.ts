import { QuorumLostError } from '../errors/index.js';
import type { Clock, TimerHandle } from '../runtime/index.js';
import { ReadIndexDroppedError } from './errors.js';

interface PendingRead {
  readonly resolve: (index: number) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: TimerHandle;
  /** Set once a quorum confirmed the read: the index to apply before serving it. */
  index?: number;
}

/** Drivers created in this process: part of every read context, so no two share one. */
let trackers = 0;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The read barriers a {@link RaftDriver} waits on. Each gets a context unique to this tracker
 * (so a confirmation meant for an earlier incarnation of the member, still on the wire across a
 * restart, never matches a new read and serves it at a stale index), is confirmed by a
 * `ReadState`, then served once the member has applied up to the confirmed index. Unconfirmed
 * reads fail with {@link ReadIndexDroppedError} when the core reports them dropped or the known
 * leader changes, and with {@link QuorumLostError} at their deadline.
 *
 * @internal
 */
export class ReadTracker {
  private readonly unconfirmed = new Map<string, PendingRead>();
  private readonly confirmed: PendingRead[] = [];
  private readonly prefix: string;
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timeout: number,
    /** Unique enough on its own across processes (id, a random draw, the clock). */
    salt: string,
  ) {
    this.prefix = `${salt}:${(++trackers).toString(36)}:`;
  }

  /**
   * Registers a read and hands its context to `request` (which asks the core for a ReadIndex and
   * may throw, failing the read at once).
   */
  begin(request: (context: Uint8Array) => void): Promise<number> {
    const key = `${this.prefix}${++this.seq}`;
    return new Promise<number>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.unconfirmed.delete(key);
        const i = this.confirmed.indexOf(read);
        if (i >= 0) this.confirmed.splice(i, 1);
        reject(new QuorumLostError(`read not confirmed by a quorum within ${this.timeout} ms`));
      }, this.timeout);
      const read: PendingRead = { resolve, reject, timer };
      this.unconfirmed.set(key, read);
      try {
        request(encoder.encode(key));
      } catch (err) {
        this.clock.clearTimeout(timer);
        this.unconfirmed.delete(key);
        reject(err);
      }
    });
  }

  /** A quorum confirmed the read with `context`: serve it once `index` is applied. */
  confirm(context: Uint8Array, index: number): void {
    const key = decoder.decode(context);
    const read = this.unconfirmed.get(key);
    if (read === undefined) return;
    this.unconfirmed.delete(key);
    read.index = index;
    this.confirmed.push(read);
  }

  /** The core dropped the read with `context`. */
  dropped(context: Uint8Array, leader: string | null): void {
    this.drop(decoder.decode(context), leader);
  }

  /** The known leader changed: reads it was asked to confirm are lost with it. */
  dropUnconfirmed(leader: string | null): void {
    for (const key of [...this.unconfirmed.keys()]) this.drop(key, leader);
  }

  /** Serves every confirmed read whose index is applied. */
  serve(applied: number): void {
    for (let i = this.confirmed.length - 1; i >= 0; i--) {
      const r = this.confirmed[i] as PendingRead;
      if ((r.index as number) > applied) continue;
      this.confirmed.splice(i, 1);
      this.clock.clearTimeout(r.timer);
      r.resolve(r.index as number);
    }
  }

  /** Fails every read with `error`. */
  failAll(error: unknown): void {
    const all = [...this.unconfirmed.values(), ...this.confirmed];
    this.unconfirmed.clear();
    this.confirmed.length = 0;
    for (const r of all) {
      this.clock.clearTimeout(r.timer);
      r.reject(error);
    }
  }

  private drop(key: string, leader: string | null): void {
    const read = this.unconfirmed.get(key);
    if (read === undefined) return;
    this.unconfirmed.delete(key);
    this.clock.clearTimeout(read.timer);
    read.reject(new ReadIndexDroppedError(leader));
  }
}
