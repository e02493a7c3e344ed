/**
 * Pending ReadIndex requests on the leader: each waits for a quorum of heartbeat
 * acknowledgements carrying its context, which proves the leader was still the leader when the
 * read was requested.
 */

/** One pending read. @internal */
export interface ReadRequest {
  /** The commit index when the read was requested. */
  readonly index: number;
  /** The caller's context. */
  readonly context: Uint8Array;
  /** Who asked: the leader itself or a follower the answer goes back to. */
  readonly from: string;
  /** Voters that acknowledged a heartbeat carrying this context. */
  readonly acks: Set<string>;
}

/** Keys a context so identical byte strings match. @internal */
export function contextKey(context: Uint8Array): string {
  return Buffer.from(context).toString('base64');
}

/**
 * The queue of pending reads, in request order; a confirmation of one read confirms every
 * earlier one too.
 *
 * @internal
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadRequest>();
  private queue: string[] = [];

  /** Adds a read; a duplicate context is ignored. */
  add(index: number, context: Uint8Array, from: string, self: string): void {
    const key = contextKey(context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, context, from, acks: new Set([self]) });
    this.queue.push(key);
  }

  /** Records a heartbeat acknowledgement; returns the voters that acknowledged `context`. */
  recvAck(id: string, context: Uint8Array): ReadonlySet<string> | undefined {
    const req = this.pending.get(contextKey(context));
    if (req === undefined) return undefined;
    req.acks.add(id);
    return req.acks;
  }

  /** Removes and returns every read up to and including the one for `context`. */
  advance(context: Uint8Array): ReadRequest[] {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1).map((k) => this.pending.get(k) as ReadRequest);
    for (const k of this.queue.slice(0, at + 1)) this.pending.delete(k);
    this.queue = this.queue.slice(at + 1);
    return done;
  }

  /** The context of the latest pending read, if any. */
  lastPendingContext(): Uint8Array | undefined {
    const key = this.queue[this.queue.length - 1];
    return key === undefined ? undefined : this.pending.get(key)?.context;
  }

  size(): number {
    return this.queue.length;
  }

  /** Removes and returns every pending read, in request order. */
  drain(): ReadRequest[] {
    const all = this.queue.map((k) => this.pending.get(k) as ReadRequest);
    this.pending.clear();
    this.queue = [];
    return all;
  }
}
