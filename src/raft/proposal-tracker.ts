import { ProposalLostError, QuorumLostError } from '../errors/index.js';
import type { Clock, TimerHandle } from '../runtime/index.js';

/** The result of a committed proposal. @public */
export interface Committed<T = unknown> {
  /** The log index the entry was committed at. */
  readonly index: number;
  /** What the state machine's `apply` returned on this member. */
  readonly result: T;
}

interface Pending {
  readonly index: number;
  readonly term: number;
  readonly resolve: (c: Committed) => void;
  readonly reject: (e: unknown) => void;
  /** When the proposal times out (clock time). */
  readonly deadline: number;
  settled: boolean;
  /** Another proposal at the same index, from another term. */
  next: Pending | undefined;
}

/**
 * The proposals a {@link RaftDriver} waits on, each identified by the index and term its entry
 * got. A proposal settles when an entry commits at its index: resolved when that entry is its own
 * (same term), rejected with {@link ProposalLostError} when it is another (the index is taken for
 * good, so the proposal can never commit). A proposal whose entry was merely overwritten in this
 * member's log stays pending, since the entry may survive on another member and still commit
 * (Raft's figure 8); it fails with {@link QuorumLostError} (outcome unknown) at its deadline.
 *
 * Deadlines: one clock timer for all, armed for the oldest pending proposal (a timer per proposal
 * cost more than the rest of a proposal's path). Proposals are queued in the order they were
 * made, which is also deadline order.
 *
 * @internal
 */
export class ProposalTracker {
  /** Pending proposals by index (a chain when several terms wait on one index). */
  private readonly byIndex = new Map<number, Pending>();
  /** Every pending proposal in the order made (settled ones are skipped lazily). */
  private queue: Pending[] = [];
  private head = 0;
  private timer: TimerHandle | undefined;
  private count = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timeout: number,
  ) {}

  /** Proposals not settled yet. */
  get size(): number {
    return this.count;
  }

  /** Waits for the entry proposed at `index` in `term`. */
  track(index: number, term: number): Promise<Committed> {
    return new Promise<Committed>((resolve, reject) => {
      const p: Pending = { index, term, resolve, reject, deadline: this.clock.now() + this.timeout, settled: false, next: undefined };
      const first = this.byIndex.get(index);
      if (first === undefined) {
        this.byIndex.set(index, p);
      } else {
        let last = first;
        while (last.next !== undefined) last = last.next;
        last.next = p;
      }
      this.queue.push(p);
      this.count++;
      if (this.timer === undefined) this.arm(p.deadline);
    });
  }

  /**
   * The entry at `index` (of `term`) committed and was applied: settles the proposals waiting on
   * that index, with `outcome` for the one it belongs to.
   */
  committed(index: number, term: number, outcome: { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown }): void {
    let p = this.byIndex.get(index);
    if (p === undefined) return;
    this.byIndex.delete(index);
    for (; p !== undefined; p = p.next) {
      this.settle(p);
      if (p.term !== term) p.reject(new ProposalLostError(`entry ${index} was replaced after a leader change; retry`));
      else if (outcome.ok) p.resolve({ index, result: outcome.result });
      else p.reject(outcome.error);
    }
    this.trim();
  }

  /** A snapshot covering every index up to `index` replaced the log: those outcomes are unknown. */
  superseded(index: number): void {
    for (const [i, first] of this.byIndex) {
      if (i > index) continue;
      this.byIndex.delete(i);
      for (let p: Pending | undefined = first; p !== undefined; p = p.next) {
        this.settle(p);
        p.reject(new QuorumLostError(`write at index ${i} was superseded by a snapshot; its outcome is unknown`));
      }
    }
    this.trim();
  }

  /** Fails every pending proposal with `error` and cancels the timer. */
  failAll(error: unknown): void {
    const all = this.queue.slice(this.head).filter((p) => !p.settled);
    this.byIndex.clear();
    this.queue = [];
    this.head = 0;
    this.count = 0;
    this.disarm();
    for (const p of all) {
      p.settled = true;
      p.reject(error);
    }
  }

  private settle(p: Pending): void {
    p.settled = true;
    this.count--;
  }

  /** Drops settled proposals from the front of the queue; with none pending, the timer goes. */
  private trim(): void {
    const q = this.queue;
    while (this.head < q.length && (q[this.head] as Pending).settled) this.head++;
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
    if (this.count === 0) this.disarm();
  }

  private arm(at: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, at - this.clock.now());
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Fails every proposal whose deadline passed, then re-arms for the oldest left. */
  private expire(): void {
    const now = this.clock.now();
    const q = this.queue;
    while (this.head < q.length) {
      const p = q[this.head] as Pending;
      if (!p.settled) {
        if (p.deadline > now) break;
        this.unlink(p);
        this.settle(p);
        p.reject(new QuorumLostError(`write at index ${p.index} not committed within ${this.timeout} ms (no quorum); its outcome is unknown`));
      }
      this.head++;
    }
    this.trim();
    const oldest = this.queue[this.head];
    if (oldest !== undefined && this.timer === undefined) this.arm(oldest.deadline);
  }

  private unlink(p: Pending): void {
    const first = this.byIndex.get(p.index);
    if (first === p) {
      if (p.next === undefined) this.byIndex.delete(p.index);
      else this.byIndex.set(p.index, p.next);
      return;
    }
    for (let q = first; q !== undefined; q = q.next) {
      if (q.next === p) {
        q.next = p.next;
        return;
      }
    }
  }
}
