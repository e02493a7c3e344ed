import { InvalidStateError } from '../errors/index.js';
import type { Overlay } from './overlay.js';
import type { WriteTx } from './transaction.js';
import type { Transaction } from './types.js';

/**
 * SwarmKit's bound on the changes one batch transaction carries (`MaxChangesPerTransaction`).
 *
 * @public
 */
export const DEFAULT_BATCH_SIZE = 200;

/** Options of `store.batch`. @public */
export interface BatchOptions {
  /** Commit the open transaction once it changes this many objects (default: the store's `batchSize`). */
  readonly batchSize?: number;
}

/**
 * Hands out the steps of a large write. Each step is atomic (all of its changes or none), steps
 * are staged into an open transaction in call order, and that transaction is committed whenever
 * it holds `batchSize` changes; the batch as a whole is not atomic.
 *
 * @public
 */
export interface Batch {
  /**
   * Runs `fn` against the open transaction (after any commit in flight has been applied, so it
   * sees every earlier step) and resolves with its result once its changes are staged. There is
   * no need to await it before the next call: calls queue up in order. A step that throws fails
   * the whole batch.
   */
  update<T>(fn: (tx: WriteTx) => T): Promise<T>;
}

/** What a batch committed. @public */
export interface BatchResult {
  /** Transactions committed. */
  readonly transactions: number;
  /** Object changes committed, over all of them. */
  readonly changes: number;
  /** The index of the last one (the store's index before the batch if nothing was committed). */
  readonly index: number;
}

/** What the batch needs from its store. @internal */
export interface BatchHost {
  readonly index: number;
  /** A fresh overlay over `parent`, or over the committed state. */
  openOverlay(parent?: Overlay): Overlay;
  /** Runs one step against `overlay`. */
  stage<T>(overlay: Overlay, fn: (tx: WriteTx) => T): T;
  /** Proposes and resolves with the commit index. */
  commit(tx: Transaction): Promise<number>;
}

interface Step {
  readonly fn: (tx: WriteTx) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

class BatchRunner implements Batch {
  private open: Overlay | undefined;
  private queue: (Step | undefined)[] = [];
  private head = 0;
  private inFlight: Promise<void> | undefined;
  private failure: { readonly error: unknown } | undefined;
  private ended = false;
  private transactions = 0;
  private changes = 0;
  private index: number;

  constructor(
    private readonly host: BatchHost,
    private readonly batchSize: number,
  ) {
    this.index = host.index;
  }

  update<T>(fn: (tx: WriteTx) => T): Promise<T> {
    if (this.failure !== undefined) return handled(Promise.reject(this.failure.error));
    if (this.ended) return handled(Promise.reject(new InvalidStateError('batch.update() called after the batch ended')));
    if (this.inFlight !== undefined || this.head < this.queue.length) {
      return handled(
        new Promise<T>((resolve, reject) => this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject })),
      );
    }
    try {
      return Promise.resolve(this.step(fn));
    } catch (err) {
      this.fail(err);
      return handled(Promise.reject(err));
    }
  }

  /** Waits for queued steps and commits, then commits what is left open. */
  async finish(): Promise<BatchResult> {
    await this.settle();
    this.throwIfFailed();
    this.ended = true;
    this.flush();
    await this.settle();
    this.throwIfFailed();
    return { transactions: this.transactions, changes: this.changes, index: this.index };
  }

  /** Drops what is staged and queued; commits already made stand. */
  async abort(error: unknown): Promise<void> {
    this.fail(error);
    this.ended = true;
    await this.settle();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async settle(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  private step<T>(fn: (tx: WriteTx) => T): T {
    const open = (this.open ??= this.host.openOverlay());
    const child = this.host.openOverlay(open);
    const result = this.host.stage(child, fn);
    child.mergeInto(open);
    if (open.size >= this.batchSize) this.flush();
    return result;
  }

  private flush(): void {
    const open = this.open;
    this.open = undefined;
    if (open === undefined) return;
    const tx = open.transaction();
    if (tx.actions.length === 0) return;
    this.inFlight = this.host.commit(tx).then(
      (index) => {
        this.inFlight = undefined;
        this.transactions++;
        this.changes += tx.actions.length;
        this.index = index;
        this.runQueued();
      },
      (err: unknown) => {
        this.inFlight = undefined;
        this.fail(err);
      },
    );
  }

  private runQueued(): void {
    while (this.head < this.queue.length && this.inFlight === undefined && this.failure === undefined) {
      const step = this.queue[this.head] as Step;
      this.queue[this.head++] = undefined;
      try {
        step.resolve(this.step(step.fn));
      } catch (err) {
        step.reject(err);
        this.fail(err);
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = { error };
    this.open = undefined;
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]?.reject(error);
    this.queue = [];
    this.head = 0;
  }
}

/**
 * Runs `fn` with a {@link Batch}, then commits what it left open.
 *
 * @internal
 */
export async function runBatch(host: BatchHost, fn: (batch: Batch) => void | Promise<void>, batchSize: number): Promise<BatchResult> {
  const runner = new BatchRunner(host, batchSize);
  try {
    await fn(runner);
  } catch (err) {
    await runner.abort(err);
    throw err;
  }
  return runner.finish();
}
