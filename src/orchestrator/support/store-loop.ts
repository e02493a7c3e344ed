import type { Subscription } from 'rxjs';
import { TransactionTooLargeError, type ObjectKind } from '../../errors/index.js';
import type { Clock, Logger, TimerHandle } from '../../runtime/index.js';
import type { ObjectEvent, ReadTx, Store, WriteTx } from '../../store/index.js';

/**
 * Objects one orchestrator transaction changes at most, unless told otherwise: large enough that
 * creating a million tasks takes a thousand commits, small enough to stay far below the store's
 * transaction limit and a raft entry's size.
 *
 * @public
 */
export const DEFAULT_ORCHESTRATOR_BATCH_SIZE = 1000;

/**
 * Events each orchestrator watcher may have undelivered before the store ends its watch (it then
 * re-reads the store and reconciles everything). Larger than the store's default so that a burst
 * of large transactions from other components does not force a full re-read.
 *
 * @public
 */
export const DEFAULT_ORCHESTRATOR_WATCH_BUFFER = 100_000;

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/** What every orchestrator loop is built from. @internal */
export interface LoopOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Objects changed per transaction at most (default {@link DEFAULT_ORCHESTRATOR_BATCH_SIZE}). */
  readonly batchSize?: number | undefined;
  /** Watch buffer bound (default {@link DEFAULT_ORCHESTRATOR_WATCH_BUFFER}). */
  readonly watchBufferSize?: number | undefined;
}

/** What a component plugs into a {@link LoopDriver}. @internal */
export interface LoopHooks {
  /** For log messages. */
  readonly name: string;
  /** The kinds of objects the loop watches. */
  readonly kinds: readonly ObjectKind[];
  /** (Re)builds the component's caches from the store and queues a full reconcile; runs inside a view. */
  load(tx: ReadTx): void;
  /** Collects work from one object event; must be cheap (no store scans). */
  onEvent(event: ObjectEvent): void;
  /** Does one unit of work (one transaction, typically); resolves true when more is queued. */
  work(): Promise<boolean>;
  /** Called after each committed transaction's events (default: run the pump). */
  onCommit?(): void;
  /** Cancels the component's own timers. */
  onStop?(): void;
}

/**
 * The skeleton of a leader-only control loop: read the store and watch it from that instant
 * (re-reading everything if the watch overflows), collect work from events, and do the work in a
 * single serial pump so that no write of this loop is staged before its previous write committed
 * (which, behind raft, is what keeps two writes of one loop from deciding on the same stale state).
 * A failed write is logged and retried after a growing delay (100 ms doubling to 5 s); a
 * transaction that is too large halves the batch size.
 *
 * @internal
 */
export class LoopDriver {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** Objects changed per transaction at most; halves on `TransactionTooLargeError`. */
  batchSize: number;
  private readonly watchBufferSize: number;
  private subscription: Subscription | undefined;
  private phase: 'idle' | 'running' | 'stopped' = 'idle';
  private pumping: Promise<void> | undefined;
  private again = false;
  private retryTimer: TimerHandle | undefined;
  private retryDelay = 0;

  constructor(
    options: LoopOptions,
    private readonly hooks: LoopHooks,
  ) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_ORCHESTRATOR_BATCH_SIZE));
    this.watchBufferSize = options.watchBufferSize ?? DEFAULT_ORCHESTRATOR_WATCH_BUFFER;
  }

  /** Starts watching (reading what the store already holds first). Idempotent; no restart after stop. */
  start(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'running';
    this.subscribe();
  }

  /** Stops watching, cancels every timer, and waits for a write in flight. Idempotent. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.hooks.onStop?.();
    await this.pumping;
  }

  /** True between start and stop. */
  get active(): boolean {
    return this.phase === 'running';
  }

  /**
   * Runs the pump on a microtask (never inside the caller, which may be a store transaction), or
   * once more after the current round.
   */
  kick(): void {
    if (!this.active) return;
    this.again = true;
    if (this.pumping !== undefined) return;
    this.pumping = Promise.resolve().then(() => this.pump());
  }

  /** Commits `fn`'s changes; throws what the store throws. */
  async write(fn: (tx: WriteTx) => void): Promise<void> {
    await this.store.update(fn);
  }

  private subscribe(): void {
    const { events } = this.store.viewAndWatch((tx) => this.hooks.load(tx), { kind: this.hooks.kinds, bufferSize: this.watchBufferSize });
    this.subscription = events.subscribe({
      next: (event) => {
        if (!this.active) return;
        if (event.type !== 'commit') this.hooks.onEvent(event as ObjectEvent);
        else if (this.hooks.onCommit !== undefined) this.hooks.onCommit();
        else this.kick();
      },
      error: (err: unknown) => {
        this.subscription = undefined;
        if (!this.active) return;
        this.logger?.warn?.(`${this.hooks.name}: watch ended, re-reading the store`, { error: String(err) });
        this.subscribe();
      },
      complete: () => {
        this.subscription = undefined;
      },
    });
    this.kick();
  }

  private async pump(): Promise<void> {
    try {
      while (this.active && this.again) {
        this.again = false;
        if (await this.hooks.work()) this.again = true;
      }
      this.retryDelay = 0;
    } catch (err) {
      if (this.active) this.failed(err);
    } finally {
      this.pumping = undefined;
    }
  }

  private failed(err: unknown): void {
    if (err instanceof TransactionTooLargeError && this.batchSize > 1) {
      this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
      this.logger?.warn?.(`${this.hooks.name}: transaction too large, batch size now ${this.batchSize}`);
    } else {
      this.logger?.debug?.(`${this.hooks.name}: write failed, will retry`, { error: String(err) });
    }
    this.retryDelay = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.retryDelay * 2));
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.retryDelay);
  }
}

/** Removes and returns up to `n` entries of `set`, in insertion order. @internal */
export function takeSome<T>(set: Set<T>, n: number): T[] {
  const out: T[] = [];
  for (const v of set) {
    if (out.length >= n) break;
    out.push(v);
  }
  for (const v of out) set.delete(v);
  return out;
}
