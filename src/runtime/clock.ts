/**
 * An opaque handle for a timer created by {@link Clock.setTimeout}.
 *
 * @public
 */
export interface TimerHandle {
  /** Identifies the timer within its clock. */
  readonly timerId: number;
}

/**
 * The only source of time in Flotilla. Every time-dependent module takes one, so a whole cluster
 * can run on a {@link VirtualClock} reproducibly.
 *
 * @public
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (or since the start of a virtual clock's epoch). */
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now (negative or NaN delays count as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a handle that already fired or was cancelled is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now()` and the global timers. A zero delay runs `fn` on the next turn of
 * the event loop (`setImmediate`) rather than through `setTimeout`, which Node clamps to at least
 * 1 ms: an in-memory network with no latency would otherwise add a millisecond to every hop.
 *
 * @public
 */
export class SystemClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, { readonly immediate: true; readonly handle: ReturnType<typeof globalThis.setImmediate> } | { readonly immediate: false; readonly handle: ReturnType<typeof globalThis.setTimeout> }>();

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timerId = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const fire = (): void => {
      this.timers.delete(timerId);
      fn();
    };
    if (delay === 0) this.timers.set(timerId, { immediate: true, handle: globalThis.setImmediate(fire) });
    else this.timers.set(timerId, { immediate: false, handle: globalThis.setTimeout(fire, delay) });
    return { timerId };
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.timers.get(handle.timerId);
    if (t === undefined) return;
    if (t.immediate) globalThis.clearImmediate(t.handle);
    else globalThis.clearTimeout(t.handle);
    this.timers.delete(handle.timerId);
  }

  /** Number of timers not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }
}

/**
 * Calls `fn` every `ms` milliseconds on `clock` until the returned function is called.
 * The next run is scheduled after `fn` returns, so runs never overlap.
 *
 * @public
 */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let handle: TimerHandle | undefined;
  let stopped = false;
  const schedule = (): void => {
    handle = clock.setTimeout(() => {
      if (stopped) return;
      fn();
      if (!stopped) schedule();
    }, ms);
  };
  schedule();
  return () => {
    stopped = true;
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}
