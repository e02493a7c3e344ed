import type { Store, WriteTx } from '../../store/index.js';

interface Op {
  readonly fn: (tx: WriteTx) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  result?: unknown;
  failed?: { readonly error: unknown };
}

/**
 * Coalesces the small writes of many concurrent slot updates into store batches: writes queued in
 * the same turn of the event loop are committed together, in order, `store.batch` cutting them
 * into transactions of the store's batch size. Each write is one batch step, so it is atomic (a
 * slot's new task and its old task's shutdown land in the same transaction). An update with
 * parallelism 0 over a million slots thus costs thousands of transactions, not a million.
 *
 * Bound: every queued write belongs to a worker that awaits it, so the queue never holds more
 * writes than the updates' combined parallelism.
 *
 * @internal
 */
export class WriteQueue {
  private pending: Op[] = [];
  private scheduled = false;

  constructor(private readonly store: Store) {}

  /**
   * Queues `fn` and resolves with its result once its transaction committed. `fn` should check
   * before it writes: if it throws, the writes it staged so far still commit with the others, and
   * this call rejects with its error. Rejects for every queued write when the batch fails (lost
   * leadership, a closed store).
   */
  write<T>(fn: (tx: WriteTx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const ops = this.pending;
    this.pending = [];
    if (ops.length === 0) return;
    this.store
      .batch((batch) => {
        for (const op of ops) {
          void batch.update((tx) => {
            try {
              op.result = op.fn(tx);
            } catch (error) {
              op.failed = { error };
            }
          });
        }
      })
      .then(
        () => {
          for (const op of ops) {
            if (op.failed !== undefined) op.reject(op.failed.error);
            else op.resolve(op.result);
          }
        },
        (error: unknown) => {
          for (const op of ops) op.reject(error);
        },
      );
  }
}
