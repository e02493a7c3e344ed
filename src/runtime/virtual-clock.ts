import { InvalidStateError, TimeoutError } from '../errors/index.js';
import type { Clock, TimerHandle } from './clock.js';
import { parseDuration, type Duration } from './duration.js';

/** A pending timer; it is its own handle. `fn` is dropped when it is cancelled. */
interface Timer extends TimerHandle {
  readonly due: number;
  readonly seq: number;
  fn: () => void;
}

const CANCELLED = (): void => undefined;

/** Cancelled timers the heap may hold beyond its live ones before it is rebuilt without them. */
const COMPACT_SLACK = 1024;

/** Options for {@link VirtualClock}. @public */
export interface VirtualClockOptions {
  /** The starting time in epoch milliseconds. Default 0. */
  readonly start?: number;
  /**
   * How many timers one `runUntilIdle` may fire before it gives up with an error (a timer that
   * keeps re-arming itself would otherwise never go idle). Default 10,000,000.
   */
  readonly maxTimersPerRun?: number;
}

/** Options for {@link VirtualClock.advanceUntil}. @public */
export interface AdvanceUntilOptions {
  /** Give up once this much virtual time has passed. Default: no limit (until idle). */
  readonly timeout?: Duration;
}

/**
 * A clock that moves only when told to. Timers fire in order of due time, ties in creation
 * order; time never goes backwards. Timers scheduled while timers run are honoured in the same
 * call when they fall due within it.
 *
 * The synchronous methods (`advance`, `runUntilIdle`, `advanceUntil`) run timer callbacks
 * back to back. The `…Async` variants let pending promise callbacks (and `setImmediate` work) run
 * after every timer, which is what code built on promises needs.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 1500);
 * clock.advance('2s'); // fired is [1500]
 * ```
 * @public
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private nextId = 1;
  private heap: Timer[] = [];
  /** Live timers by id; a cancelled one leaves this map at once and the heap lazily. */
  private readonly live = new Map<number, Timer>();
  private readonly maxTimersPerRun: number;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.start ?? 0;
    this.maxTimersPerRun = options.maxTimersPerRun ?? 10_000_000;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: Timer = { timerId: this.nextId++, due: this.current + delay, seq: this.seq++, fn };
    this.live.set(timer.timerId, timer);
    this.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.live.get(handle.timerId);
    if (timer === undefined) return;
    this.live.delete(handle.timerId);
    // What the callback holds is released now, not when the timer would have fallen due.
    timer.fn = CANCELLED;
    if (this.heap.length > 2 * this.live.size + COMPACT_SLACK) this.compact();
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.live.size;
  }

  /** The due time of the next live timer, or `undefined` when none is pending. */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.due;
  }

  /** Moves time forward by `duration`, firing every timer that falls due, in order. */
  advance(duration: Duration): void {
    const target = this.current + parseDuration(duration, 'duration');
    let fired = 0;
    while (this.fireNext(target)) this.guard(++fired);
    this.current = Math.max(this.current, target);
  }

  /** Moves time to the absolute instant `time` (no-op when it lies in the past). */
  advanceTo(time: number): void {
    if (time > this.current) this.advance(time - this.current);
  }

  /** Fires timers until none is left; returns how many fired. */
  runUntilIdle(): number {
    let fired = 0;
    while (this.fireNext(Infinity)) this.guard(++fired);
    return fired;
  }

  /**
   * Fires timers one at a time until `predicate()` holds; returns whether it holds. Stops at the
   * timeout, or when no timer is left.
   */
  advanceUntil(predicate: () => boolean, options: AdvanceUntilOptions = {}): boolean {
    const deadline = options.timeout === undefined ? Infinity : this.current + parseDuration(options.timeout, 'timeout');
    let fired = 0;
    while (!predicate()) {
      if (!this.fireNext(deadline)) {
        if (deadline !== Infinity) this.current = Math.max(this.current, deadline);
        return predicate();
      }
      this.guard(++fired);
    }
    return true;
  }

  /** Like {@link VirtualClock.advance}, letting promise callbacks run after every timer. */
  async advanceAsync(duration: Duration): Promise<void> {
    const target = this.current + parseDuration(duration, 'duration');
    await flushMicrotasks();
    let fired = 0;
    while (this.fireNext(target)) {
      this.guard(++fired);
      await flushMicrotasks();
    }
    this.current = Math.max(this.current, target);
    await flushMicrotasks();
  }

  /** Like {@link VirtualClock.runUntilIdle}, letting promise callbacks run after every timer. */
  async runUntilIdleAsync(): Promise<number> {
    let fired = 0;
    await flushMicrotasks();
    while (this.fireNext(Infinity)) {
      this.guard(++fired);
      await flushMicrotasks();
    }
    return fired;
  }

  /** Like {@link VirtualClock.advanceUntil}, letting promise callbacks run after every timer. */
  async advanceUntilAsync(predicate: () => boolean, options: AdvanceUntilOptions = {}): Promise<boolean> {
    const deadline = options.timeout === undefined ? Infinity : this.current + parseDuration(options.timeout, 'timeout');
    let fired = 0;
    await flushMicrotasks();
    while (!predicate()) {
      if (!this.fireNext(deadline)) {
        if (deadline !== Infinity) this.current = Math.max(this.current, deadline);
        await flushMicrotasks();
        return predicate();
      }
      this.guard(++fired);
      await flushMicrotasks();
    }
    return true;
  }

  /**
   * Awaits `promise` while moving virtual time forward, one timer at a time, until it settles;
   * so code that waits on timers under this clock finishes without anyone calling `advance`.
   * Rejects with {@link TimeoutError} when it has not settled after `timeout` of virtual time
   * (default 1 hour), or when no timer is left that could settle it.
   */
  async settle<T>(promise: Promise<T>, options: AdvanceUntilOptions & { readonly waitingFor?: string } = {}): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    const timeout = options.timeout ?? '1h';
    const done = await this.advanceUntilAsync(() => settled, { timeout });
    if (!done) throw new TimeoutError(options.waitingFor ?? 'a promise to settle under virtual time', parseDuration(timeout, 'timeout'));
    return tracked;
  }

  private guard(fired: number): void {
    if (fired > this.maxTimersPerRun) {
      throw new InvalidStateError(`virtual clock fired more than ${this.maxTimersPerRun} timers in one run; a timer keeps re-arming itself`);
    }
  }

  /** Fires the next live timer due at or before `limit`; false when there is none. */
  private fireNext(limit: number): boolean {
    this.dropCancelled();
    const top = this.heap[0];
    if (top === undefined || top.due > limit) return false;
    this.pop();
    this.live.delete(top.timerId);
    if (top.due > this.current) this.current = top.due;
    const fn = top.fn;
    top.fn = CANCELLED; // a handle kept after the timer fired does not keep its callback alive
    fn();
    return true;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && (this.heap[0] as Timer).fn === CANCELLED) this.pop();
  }

  /** Rebuilds the heap from the live timers (their order is their due time and sequence, as before). */
  private compact(): void {
    const h = [...this.live.values()];
    this.heap = h;
    for (let i = (h.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as Timer;
      if (!before(t, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = t;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Timer;
    if (h.length === 0) return;
    h[0] = last;
    this.siftDown(0);
  }

  private siftDown(from: number): void {
    const h = this.heap;
    const t = h[from] as Timer;
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = l;
      if (l >= h.length) break;
      if (r < h.length && before(h[r] as Timer, h[l] as Timer)) m = r;
      if (!before(h[m] as Timer, t)) break;
      h[i] = h[m] as Timer;
      i = m;
    }
    h[i] = t;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * Resolves after every queued promise callback (and I/O callbacks already due) has run.
 *
 * @public
 */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
