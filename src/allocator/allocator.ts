import type { Subscription } from 'rxjs';
import type { Task } from '../api/index.js';
import type { Clock, Logger } from '../runtime/index.js';
import { assignFields, type Store } from '../store/index.js';

/** Options of {@link Allocator}. @public */
export interface AllocatorOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Logger;
  /**
   * Most tasks moved per store transaction (default 10,000, capped by the store's transaction
   * limit).
   */
  readonly batchSize?: number;
}

/** The status message of a task the allocator released to the scheduler (SwarmKit's). @public */
export const PENDING_MESSAGE = 'pending task scheduling';

/**
 * Moves new tasks to `pending` once everything they need is allocated, handing them to the
 * scheduler (SwarmKit's allocator, leader only). Today tasks need nothing beyond their spec, so
 * every `new` task is released at once, in batches; network attachments, virtual IPs and ingress
 * ports join here with the networking work.
 *
 * @public
 */
export class Allocator {
  private subscription: Subscription | undefined;
  private readonly queue = new Set<string>();
  private flushing = false;
  private stopped = false;
  private readonly batchSize: number;

  constructor(private readonly options: AllocatorOptions) {
    this.batchSize = options.batchSize ?? 10_000;
  }

  /** Starts releasing new tasks (those already in the store first). Idempotent. */
  start(): void {
    if (this.subscription !== undefined || this.stopped) return;
    const { result: snapshot, events } = this.options.store.viewAndWatch((tx) => tx.tasks.find({ state: 'new' }), { kind: 'task' });
    for (const t of snapshot) this.queue.add(t.id);
    this.subscription = events.subscribe({
      next: (ev) => {
        if ((ev.type === 'create' || ev.type === 'update') && ev.object.status.state === 'new') this.queue.add(ev.object.id);
        if (ev.type === 'commit') this.flush();
      },
      error: (err: unknown) => {
        this.options.logger?.warn?.('allocator watch ended; re-reading', { error: String(err) });
        this.subscription = undefined;
        if (!this.stopped) this.start();
      },
    });
    this.flush();
  }

  /** Stops watching. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await Promise.resolve();
  }

  private flush(): void {
    if (this.flushing || this.queue.size === 0 || this.stopped) return;
    this.flushing = true;
    const ids = [...this.queue].slice(0, this.batchSize);
    for (const id of ids) this.queue.delete(id);
    const now = this.options.clock.now();
    this.options.store
      .update((tx) => {
        for (const id of ids) {
          const t: Task | undefined = tx.tasks.get(id);
          if (t === undefined || t.status.state !== 'new') continue;
          assignFields(tx.tasks, id, { status: { state: 'pending', timestamp: now, message: PENDING_MESSAGE } });
        }
      })
      .catch((err: unknown) => {
        // Lost leadership or a conflicting write: put the ids back and try on the next commit.
        if (!this.stopped) for (const id of ids) this.queue.add(id);
        this.options.logger?.debug?.('allocator write failed', { error: String(err) });
      })
      .finally(() => {
        this.flushing = false;
        if (this.queue.size > 0 && !this.stopped) this.flush();
      });
  }
}
