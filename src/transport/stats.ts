/**
 * Why a copy of a message was lost:
 * - `fault`: the drop rate chose it;
 * - `partition`: the link was cut when it was sent or when it arrived;
 * - `closed`: the destination's endpoint was closed (before sending, or while it was in flight),
 *   or the network was closed while it was in flight;
 * - `unknown`: no endpoint was ever opened at the destination address;
 * - `overflow`: the network already held `maxInFlight` copies.
 *
 * @public
 */
export type DropReason = 'fault' | 'partition' | 'closed' | 'unknown' | 'overflow';

/**
 * Lost copies, in total and by {@link DropReason}.
 *
 * @public
 */
export interface DropCounts {
  /** All lost copies: the sum of the reasons. */
  readonly total: number;
  /** Lost to the drop rate. */
  readonly fault: number;
  /** Lost to a partition or isolation. */
  readonly partition: number;
  /** Lost because the destination (or the network) was closed. */
  readonly closed: number;
  /** Lost because nobody ever listened at the destination. */
  readonly unknown: number;
  /** Lost because too many copies were in flight. */
  readonly overflow: number;
}

/**
 * Traffic counters, for the whole network ({@link InMemoryNetwork.stats}) or one directed link
 * ({@link InMemoryNetwork.linkStats}).
 *
 * Every `send` adds one to `sent`; a duplicated message adds one copy to `duplicated`. Every copy
 * ends up delivered, dropped or still in flight, so (until {@link InMemoryNetwork.resetStats})
 * `sent + duplicated === delivered + dropped.total + inFlight`.
 *
 * @public
 */
export interface TrafficStats {
  /** Calls to `send` (after the sender's own checks passed). */
  readonly sent: number;
  /** Copies handed to the destination endpoint. */
  readonly delivered: number;
  /** Copies lost, by reason. */
  readonly dropped: DropCounts;
  /** Extra copies created by the duplicate rate. */
  readonly duplicated: number;
  /** Copies held back by the reorder rate (whether or not anything actually overtook them). */
  readonly reordered: number;
  /** Copies scheduled and not yet delivered or dropped. A gauge: `resetStats` leaves it alone. */
  readonly inFlight: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Mutable traffic counters behind {@link TrafficStats}.
 *
 * @internal
 */
export class TrafficCounters {
  sent = 0;
  delivered = 0;
  duplicated = 0;
  reordered = 0;
  inFlight = 0;
  readonly dropped: Mutable<Omit<DropCounts, 'total'>> = { fault: 0, partition: 0, closed: 0, unknown: 0, overflow: 0 };

  drop(reason: DropReason): void {
    this.dropped[reason]++;
  }

  /** Zeroes every counter except the `inFlight` gauge. */
  reset(): void {
    this.sent = 0;
    this.delivered = 0;
    this.duplicated = 0;
    this.reordered = 0;
    for (const k of Object.keys(this.dropped) as (keyof typeof this.dropped)[]) this.dropped[k] = 0;
  }

  snapshot(): TrafficStats {
    const d = this.dropped;
    return Object.freeze({
      sent: this.sent,
      delivered: this.delivered,
      dropped: Object.freeze({ total: d.fault + d.partition + d.closed + d.unknown + d.overflow, ...d }),
      duplicated: this.duplicated,
      reordered: this.reordered,
      inFlight: this.inFlight,
    });
  }
}
