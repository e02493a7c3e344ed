import type { TimerHandle, Random } from '../runtime/index.js';
import type { EffectiveFaults } from './faults.js';
import type { InMemoryEndpoint } from './in-memory-endpoint.js';
import { TrafficCounters } from './stats.js';

/**
 * One copy of a message on its way.
 *
 * @internal
 */
export interface Flight<M> {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly target: InMemoryEndpoint<M>;
  readonly message: M;
  readonly sentAt: number;
  readonly dueAt: number;
  readonly duplicate: boolean;
  readonly reordered: boolean;
  readonly link: LinkState<M>;
  handle: TimerHandle | undefined;
  settled: boolean;
}

/**
 * A FIFO queue of flights with O(1) amortised push and shift.
 *
 * @internal
 */
export class FlightQueue<M> {
  private items: (Flight<M> | undefined)[] = [];
  private head = 0;

  push(f: Flight<M>): void {
    this.items.push(f);
  }

  shift(): Flight<M> | undefined {
    if (this.head >= this.items.length) return undefined;
    const f = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return f;
  }

  /** The next flight, without removing it. */
  peek(): Flight<M> | undefined {
    return this.items[this.head];
  }

  get length(): number {
    return this.items.length - this.head;
  }
}

/**
 * Everything the network keeps about one directed link: its counters, fault overrides, random
 * stream, and the in-order copies still in flight.
 *
 * @internal
 */
export class LinkState<M> {
  readonly counters = new TrafficCounters();
  /** In-order (not reordered) copies in flight, in send order. */
  readonly inOrder = new FlightQueue<M>();
  /** Due time of the last in-order copy scheduled: a later one is never due earlier. */
  lastDue = -Infinity;
  /** Fields overriding the network-wide faults on this link. */
  overrides: Partial<EffectiveFaults> = {};

  constructor(readonly random: Random) {}

  /**
   * Forgets cancelled copies at the head of the in-order queue; once nothing in order is left in
   * flight, the FIFO floor no longer matters and is reset.
   */
  prune(): void {
    while (this.inOrder.peek()?.settled === true) this.inOrder.shift();
    if (this.inOrder.length === 0) this.lastDue = -Infinity;
  }
}

/**
 * A map keyed by directed (from, to) pairs; any strings are fine as addresses.
 *
 * @internal
 */
export class LinkMap<V> {
  private readonly map = new Map<string, Map<string, V>>();

  get(from: string, to: string): V | undefined {
    return this.map.get(from)?.get(to);
  }

  getOrCreate(from: string, to: string, make: () => V): V {
    let tos = this.map.get(from);
    if (tos === undefined) {
      tos = new Map();
      this.map.set(from, tos);
    }
    let v = tos.get(to);
    if (v === undefined) {
      v = make();
      tos.set(to, v);
    }
    return v;
  }

  *values(): IterableIterator<V> {
    for (const tos of this.map.values()) yield* tos.values();
  }
}
