import type { Clock, Logger, TimerHandle } from '../../runtime/index.js';
import type { DockerEngine } from './engine.js';
import type { ContainerEvent, EventMonitor } from './events.js';

/**
 * What every controller of one executor shares: the engine, the event stream, the scope, and the
 * operations in flight (keyed by operation and task id, so two controllers of the same task —
 * or two calls on one — share a prepare, a start or a stop instead of racing).
 *
 * @internal
 */
export class DockerContext {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly engine: DockerEngine,
    readonly events: EventMonitor,
    readonly scope: string,
    readonly clock: Clock,
    /** Safety net: how often a waiting controller looks at its container without an event. */
    readonly pollIntervalMs: number,
    readonly logger: Logger | undefined,
  ) {}

  /** Runs `fn` unless an operation with the same key is in flight, whose promise is shared. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const p = fn().finally(() => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    });
    this.inflight.set(key, p);
    return p;
  }

  /** The operation in flight under `key`, if any. */
  current(key: string): Promise<unknown> | undefined {
    return this.inflight.get(key);
  }

  /** Operations in flight (for tests and diagnostics). */
  get pending(): number {
    return this.inflight.size;
  }
}

/**
 * A wake-up signal for a loop that re-inspects a container whenever something may have changed:
 * an event of the container, a resync of the event stream, the poll interval, or the controller
 * closing. A notification that arrives while the loop is busy is kept for its next wait. It also
 * remembers the exit code of the last `die` event, for a container removed before it could be
 * inspected again, and whether an `oom` event came.
 *
 * @internal
 */
export class Wakeup {
  lastExitCode: number | undefined;
  /** True once an `oom` event of the container was seen. */
  sawOom = false;
  private dirty = false;
  private waiter: { readonly resolve: () => void; readonly timer: TimerHandle } | undefined;

  constructor(private readonly clock: Clock) {}

  /** Feeds an event (or a resync) in. */
  notify(event: ContainerEvent | 'resync'): void {
    if (event !== 'resync' && event.exitCode !== undefined) this.lastExitCode = event.exitCode;
    if (event !== 'resync' && event.action === 'oom') this.sawOom = true;
    this.fire();
  }

  /** Wakes the loop now. */
  fire(): void {
    this.dirty = true;
    const w = this.waiter;
    if (w === undefined) return;
    this.waiter = undefined;
    this.clock.clearTimeout(w.timer);
    w.resolve();
  }

  /** Resolves at the next notification (or at once if one came since the last call), or after `ms`. */
  next(ms: number): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiter = undefined;
        resolve();
      }, ms);
      this.waiter = {
        timer,
        resolve: () => {
          this.dirty = false;
          resolve();
        },
      };
    });
  }
}
