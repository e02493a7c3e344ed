import { ClosedError, InvalidStateError, ValidationError } from '../errors/index.js';
import type { Clock, Random } from '../runtime/index.js';
import { DEFAULT_FAULTS, parseFaults, type EffectiveFaults, type FaultOptions } from './faults.js';
import { InMemoryEndpoint, type EndpointHost } from './in-memory-endpoint.js';
import { LinkMap, LinkState, type Flight } from './link.js';
import { PartitionTable, sides, type AddressGroup } from './partitions.js';
import { copyMessage } from './copy-message.js';
import { TrafficCounters, type DropReason, type TrafficStats } from './stats.js';
import type { NetworkEvent, NetworkEventBase, NetworkTraceListener } from './trace.js';
import type { Transport, TransportEndpoint } from './transport.js';

/**
 * Options for {@link InMemoryNetwork}: the clock and random source it runs on, the network-wide
 * {@link FaultOptions}, and its bounds.
 *
 * @public
 */
export interface InMemoryNetworkOptions extends FaultOptions {
  /** Schedules every delivery. Use a `VirtualClock` for simulations. */
  readonly clock: Clock;
  /** The network forks its own stream (`'network'`) from this one, so it never shifts others' draws. */
  readonly random: Random;
  /**
   * Bound on copies in flight at once; beyond it, new copies are dropped with reason `overflow`.
   * Default 100,000.
   */
  readonly maxInFlight?: number;
  /**
   * Copy every message with `structuredClone` when it is sent (each copy of a duplicate on its
   * own), so sender and receiver never share objects, as over a real wire; a message that cannot
   * be cloned makes `send` throw a {@link ValidationError}. Default true. Turn it off for speed
   * when every node treats messages as immutable.
   */
  readonly cloneMessages?: boolean;
}

/**
 * A simulated network for nodes in one process: endpoints exchange messages with latency, and
 * faults (loss, duplication, reordering, partitions) are injected at will. Driven only by the
 * injected clock and random, so for a given seed the same sequence of calls gives exactly the same
 * deliveries at the same times.
 *
 * How a message travels, in this order:
 * 1. At `send`: the message is copied (see `cloneMessages`) and counted as `sent`. It is dropped
 *    at once when nobody listens at `to` (`unknown` if no endpoint was ever opened there, else
 *    `closed`), when the link is cut (`partition`), or by the drop rate (`fault`).
 * 2. Otherwise one copy, and with the duplicate rate a second one, is put in flight. Each copy's
 *    latency is `min + exponential(mean - min)`, capped at `max`, rounded to the microsecond.
 *    Copies on a link stay in FIFO order: a copy is never due before an earlier copy of the same
 *    link (jitter alone never reorders). With the reorder rate, a copy is instead held back by an
 *    extra uniform delay in (0, `reorderDelay`] and leaves the FIFO order, so later copies can
 *    overtake it.
 * 3. When it falls due, the copy is dropped if the link is cut then (a partition also catches
 *    messages already in flight; healing does not revive messages dropped at send), and otherwise
 *    delivered to the destination's handlers.
 *
 * Closing an endpoint drops the copies on their way to it (reason `closed`) and cancels their
 * timers; copies it sent itself are already on the wire and still arrive (isolate the address
 * first to simulate a crash that loses them too). Closing the network cancels everything.
 *
 * Random draws: each directed link has its own stream forked from the network's, so traffic on
 * one link never changes the faults drawn on another.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const net = new InMemoryNetwork({ clock, random: Random.fromSeed(7), latency: { min: '1ms', mean: '5ms' } });
 * const a = net.endpoint('a');
 * const b = net.endpoint('b');
 * b.onMessage((msg, from) => b.send(from, { ack: msg }));
 * a.send('b', 'hello');
 * net.partition(['a'], ['b']);
 * clock.runUntilIdle();
 * net.stats().dropped.partition; // 1: 'hello' was in flight when the partition started
 * net.heal();
 * net.configure({ dropRate: 0.01, duplicateRate: 0.01 }); // from now on, a little chaos
 * ```
 * @public
 */
export class InMemoryNetwork<M = unknown> implements Transport<M> {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly maxInFlight: number;
  private readonly cloneMessages: boolean;
  private global: EffectiveFaults = DEFAULT_FAULTS;
  private readonly endpoints = new Map<string, InMemoryEndpoint<M>>();
  private readonly everOpened = new Set<string>();
  private readonly links = new LinkMap<LinkState<M>>();
  private readonly partitions = new PartitionTable();
  private readonly flights = new Set<Flight<M>>();
  private readonly totals = new TrafficCounters();
  private listeners: NetworkTraceListener<M>[] = [];
  private readonly host: EndpointHost<M>;
  private lastId = 0;
  private isClosed = false;

  /** @throws {@link ValidationError} when an option is out of range */
  constructor(options: InMemoryNetworkOptions) {
    const { clock, random, maxInFlight = 100_000, cloneMessages = true, ...faults } = options;
    if (!Number.isSafeInteger(maxInFlight) || maxInFlight < 1) {
      throw new ValidationError([{ path: 'maxInFlight', message: `must be a positive integer, got ${String(maxInFlight)}` }]);
    }
    this.clock = clock;
    this.random = random.fork('network');
    this.maxInFlight = maxInFlight;
    this.cloneMessages = cloneMessages;
    this.configure(faults);
    this.host = {
      transmit: (from, to, message) => this.transmit(from, to, message),
      release: (endpoint) => this.release(endpoint),
    };
  }

  /** True once {@link InMemoryNetwork.close} was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Opens the endpoint for `address` (any non-empty string).
   *
   * @throws {@link InvalidStateError} when `address` already has an open endpoint
   * @throws {@link ClosedError} when the network is closed
   * @throws {@link ValidationError} when `address` is empty
   */
  endpoint(address: string): TransportEndpoint<M> {
    if (this.isClosed) throw new ClosedError('network');
    if (typeof address !== 'string' || address === '') {
      throw new ValidationError([{ path: 'address', message: 'must be a non-empty string' }]);
    }
    if (this.endpoints.has(address)) throw new InvalidStateError(`address ${JSON.stringify(address)} already has an open endpoint`);
    const ep = new InMemoryEndpoint<M>(address, this.host);
    this.endpoints.set(address, ep);
    this.everOpened.add(address);
    return ep;
  }

  /** Addresses with an open endpoint, in the order they were opened. */
  addresses(): string[] {
    return [...this.endpoints.keys()];
  }

  /** Closes every endpoint and drops every copy in flight (reason `closed`), cancelling its timer. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.cancel(() => true, 'closed');
    for (const ep of [...this.endpoints.values()]) ep.close();
  }

  /**
   * Changes the network-wide faults; fields left out keep their value. Affects messages sent from
   * now on.
   *
   * @throws {@link ValidationError} when a value is out of range (nothing is changed)
   */
  configure(options: FaultOptions): void {
    this.global = Object.freeze({ ...this.global, ...parseFaults(options) });
  }

  /**
   * Overrides faults on the directed link from → to; fields given replace earlier overrides of the
   * link, fields never overridden follow the network-wide value. Call it twice for both directions.
   *
   * @throws {@link ValidationError} when a value is out of range (nothing is changed)
   */
  setLink(from: string, to: string, options: FaultOptions): void {
    const link = this.link(from, to);
    link.overrides = { ...link.overrides, ...parseFaults(options) };
  }

  /** Removes every override of the directed link from → to. */
  clearLink(from: string, to: string): void {
    const link = this.links.get(from, to);
    if (link !== undefined) link.overrides = {};
  }

  /** The network-wide faults, or those in effect on the directed link from → to. */
  faults(from?: string, to?: string): EffectiveFaults {
    if (from === undefined || to === undefined) return this.global;
    const link = this.links.get(from, to);
    return link === undefined ? this.global : Object.freeze({ ...this.global, ...link.overrides });
  }

  /**
   * Cuts every link between the two groups, both ways; links within a group stay up.
   *
   * @throws {@link ValidationError} when an address is in both groups
   */
  partition(groupA: AddressGroup, groupB: AddressGroup): void {
    const [a, b] = sides(groupA, groupB);
    for (const x of a) {
      for (const y of b) {
        this.partitions.cut(x, y);
        this.partitions.cut(y, x);
      }
    }
  }

  /**
   * Cuts the links from every address in `from` to every address in `to`; the reverse direction
   * keeps flowing.
   *
   * @throws {@link ValidationError} when an address is in both groups
   */
  partitionOneWay(from: AddressGroup, to: AddressGroup): void {
    const [a, b] = sides(from, to);
    for (const x of a) for (const y of b) this.partitions.cut(x, y);
  }

  /** Cuts `address` from every other address, both ways, including addresses opened later. */
  isolate(address: string): void {
    this.partitions.isolate(address);
  }

  /**
   * Removes every partition and isolation, or, given an address, only the cuts to and from it and
   * its isolation. Messages already lost stay lost.
   */
  heal(address?: string): void {
    this.partitions.heal(address);
  }

  /** True when messages from → to are currently lost to a partition or isolation. */
  isPartitioned(from: string, to: string): boolean {
    return this.partitions.isCut(from, to);
  }

  /** Counters for the whole network. */
  stats(): TrafficStats {
    return this.totals.snapshot();
  }

  /** Counters for the directed link from → to (all zero when it never carried anything). */
  linkStats(from: string, to: string): TrafficStats {
    return (this.links.get(from, to)?.counters ?? new TrafficCounters()).snapshot();
  }

  /** Zeroes every counter, network-wide and per link, except the `inFlight` gauges. */
  resetStats(): void {
    this.totals.reset();
    for (const link of this.links.values()) link.counters.reset();
  }

  /**
   * Calls `listener` with every {@link NetworkEvent}, synchronously. An error thrown by a
   * listener propagates to whoever caused the event (`send`, or the clock running a delivery).
   *
   * @returns a function that removes the listener
   */
  onTrace(listener: NetworkTraceListener<M>): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private transmit(from: InMemoryEndpoint<M>, to: string, message: M): void {
    if (this.isClosed) throw new ClosedError('network');
    const payload = copyMessage(message, this.cloneMessages);
    const at = this.clock.now();
    const id = ++this.lastId;
    const link = this.link(from.address, to);
    link.counters.sent++;
    this.totals.sent++;
    const base = { id, at, from: from.address, to, message: payload };
    if (this.listeners.length > 0) this.emit({ kind: 'send', ...base });

    const target = this.endpoints.get(to);
    if (target === undefined) return this.lost(link, base, this.everOpened.has(to) ? 'closed' : 'unknown', false);
    if (this.partitions.isCut(from.address, to)) return this.lost(link, base, 'partition', false);
    const faults = this.faults(from.address, to);
    if (link.random.chance(faults.dropRate)) return this.lost(link, base, 'fault', false);
    this.schedule(link, target, base, faults, false);
    if (link.random.chance(faults.duplicateRate)) {
      link.counters.duplicated++;
      this.totals.duplicated++;
      this.schedule(link, target, { ...base, message: copyMessage(message, this.cloneMessages) }, faults, true);
    }
  }

  private schedule(link: LinkState<M>, target: InMemoryEndpoint<M>, base: NetworkEventBase<M>, faults: EffectiveFaults, duplicate: boolean): void {
    if (this.flights.size >= this.maxInFlight) return this.lost(link, base, 'overflow', duplicate);
    const { min, mean, max } = faults.latency;
    const latency = Math.max(min, Math.round(Math.min(max, min + link.random.exponential(mean - min)) * 1000) / 1000);
    const reordered = link.random.chance(faults.reorderRate);
    let dueAt: number;
    if (reordered) {
      dueAt = base.at + latency + faults.reorderDelay * (1 - link.random.next());
      link.counters.reordered++;
      this.totals.reordered++;
    } else {
      dueAt = Math.max(base.at + latency, link.lastDue);
      link.lastDue = dueAt;
    }
    const flight: Flight<M> = {
      id: base.id,
      from: base.from,
      to: base.to,
      message: base.message,
      sentAt: base.at,
      target,
      dueAt,
      duplicate,
      reordered,
      link,
      handle: undefined,
      settled: false,
    };
    this.flights.add(flight);
    link.counters.inFlight++;
    this.totals.inFlight++;
    if (!reordered) link.inOrder.push(flight);
    flight.handle = this.clock.setTimeout(() => this.arrive(flight), dueAt - base.at);
    if (this.listeners.length > 0) this.emit({ kind: 'schedule', ...base, dueAt, duplicate, reordered });
  }

  /**
   * A copy's timer fired. For an in-order copy, any earlier in-order copy of the link still in
   * flight settles first, so FIFO holds even when clock arithmetic rounds two due times apart.
   */
  private arrive(flight: Flight<M>): void {
    flight.handle = undefined;
    let failure: { error: unknown } | undefined;
    const settle = (f: Flight<M>): void => {
      try {
        this.settle(f);
      } catch (error) {
        failure ??= { error };
      }
    };
    if (flight.reordered) {
      if (!flight.settled) settle(flight);
    } else {
      while (!flight.settled) {
        const f = flight.link.inOrder.shift();
        if (f === undefined) break;
        if (f.settled) continue;
        if (f.handle !== undefined) this.clock.clearTimeout(f.handle);
        f.handle = undefined;
        settle(f);
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  /** Ends a copy's flight: dropped if its link is cut now, else delivered. */
  private settle(f: Flight<M>): void {
    this.land(f);
    const event = { id: f.id, at: this.clock.now(), from: f.from, to: f.to, message: f.message };
    if (this.partitions.isCut(f.from, f.to)) return this.lost(f.link, event, 'partition', f.duplicate);
    if (f.target.closed) return this.lost(f.link, event, 'closed', f.duplicate);
    f.link.counters.delivered++;
    this.totals.delivered++;
    if (this.listeners.length > 0) this.emit({ kind: 'deliver', ...event, sentAt: f.sentAt, duplicate: f.duplicate });
    f.target.deliver(f.message, f.from);
  }

  /** Takes a copy out of flight (without counting where it went). */
  private land(f: Flight<M>): void {
    f.settled = true;
    this.flights.delete(f);
    f.link.counters.inFlight--;
    this.totals.inFlight--;
  }

  private release(endpoint: InMemoryEndpoint<M>): void {
    if (this.endpoints.get(endpoint.address) === endpoint) this.endpoints.delete(endpoint.address);
    this.cancel((f) => f.target === endpoint, 'closed');
  }

  /** Drops every copy in flight that `which` selects, cancelling its timer. */
  private cancel(which: (f: Flight<M>) => boolean, reason: DropReason): void {
    const doomed = [...this.flights].filter(which);
    for (const f of doomed) {
      if (f.handle !== undefined) this.clock.clearTimeout(f.handle);
      f.handle = undefined;
      this.land(f);
    }
    for (const link of new Set(doomed.map((f) => f.link))) link.prune();
    const at = this.clock.now();
    for (const f of doomed) this.lost(f.link, { id: f.id, at, from: f.from, to: f.to, message: f.message }, reason, f.duplicate);
  }

  private lost(link: LinkState<M>, base: NetworkEventBase<M>, reason: DropReason, duplicate: boolean): void {
    link.counters.drop(reason);
    this.totals.drop(reason);
    if (this.listeners.length > 0) this.emit({ kind: 'drop', ...base, reason, duplicate });
  }

  private emit(event: NetworkEvent<M>): void {
    for (const l of this.listeners) l(event);
  }

  private link(from: string, to: string): LinkState<M> {
    return this.links.getOrCreate(from, to, () => new LinkState<M>(this.random.fork(`link:${JSON.stringify([from, to])}`)));
  }
}
