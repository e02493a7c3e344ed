import type { Subscription } from 'rxjs';
import type { Service, Task } from '../../api/index.js';
import type { Clock, Logger, Random } from '../../runtime/index.js';
import type { StoreEvent, Store } from '../../store/index.js';
import { Updater, type UpdaterContext } from './updater.js';
import { WriteQueue } from './write-queue.js';

/** Options of {@link UpdateSupervisor}. @public */
export interface UpdateSupervisorOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Source of the new tasks' ids. */
  readonly random: Random;
  readonly logger?: Logger;
}

/**
 * Runs rolling updates and rollbacks (SwarmKit's update `Supervisor` and `Updater`). The
 * replicated and global orchestrators call {@link UpdateSupervisor.update} with all runnable slots
 * of a service whenever its spec version changes; the supervisor replaces the tasks that no longer
 * match the spec, a few at a time, and records progress in `service.updateStatus`.
 *
 * - One update per service: a call with a newer spec version cancels the running one (its new
 *   tasks stay; the next update treats them like any other), a call with the same or an older
 *   version while it runs is ignored. Nothing happens while the status is `paused` or `rollback_paused`; only a
 *   new spec (see `applyServiceUpdate`, which clears the status) resumes.
 * - Dirty slots are those holding more than one runnable task, or one task that `isTaskDirty`
 *   says no longer matches (given its node, so a placement change alone restarts only tasks whose
 *   node no longer fits). With no dirty slot the update is done at once.
 * - The config is `spec.update`, or `spec.rollback` while the status is `rollback_started`, with
 *   Docker's defaults. `parallelism` workers (0: one per dirty slot) each take a slot, re-read it,
 *   and either keep a task already made from the new spec or create a new task in the slot (on
 *   the same node for global services):
 *   - stop-first: the old task gets desired `shutdown` and the new one desired `ready` in the same
 *     transaction; the new one gets desired `running` once the old one has stopped (state after
 *     running, or its node is down or gone, or it never reached a node), or after
 *     {@link OLD_TASK_STOP_TIMEOUT_MS}. The slot never runs two tasks at once.
 *   - start-first: the new task gets desired `running` at once; the old one is shut down when the
 *     new one runs (and stays if the new one fails). The slot never runs zero tasks.
 *   - The worker waits until the new task runs (or ends), then sleeps `delay` before its next slot.
 * - A task this update created that ends (any state after running) before running, or within
 *   `monitor` of running, is a failure. When failures / dirty slots exceed `maxFailureRatio`:
 *   `pause` sets `paused`; `rollback` sets `rollback_started`, puts `previousSpec` back as the spec
 *   (spec version + 1, previous spec cleared), which makes the orchestrators call `update` again
 *   for the rollback; any failure action during a rollback sets `rollback_paused`; `continue`
 *   goes on. Workers finish the slot they hold; no new slot starts.
 * - After the last slot, monitoring goes on for `monitor` (or `delay + 1 s` when `delay >= monitor`,
 *   during which a failure of the last batch still counts); then the status becomes `completed`
 *   (`update completed`) or `rollback_completed` (`rollback completed`) with `completedAt`.
 *
 * Every write is checked against the current store state and the service's spec version, so a
 * stale update never overwrites a newer one's status. Writes of concurrent workers are coalesced
 * into store batches. Failed writes (lost leadership) are logged, never thrown.
 *
 * @example
 * ```ts
 * const updates = new UpdateSupervisor({ store, clock, random });
 * // in an orchestrator, when service.specVersion changed:
 * updates.update(service, slots); // slots: the runnable tasks of each slot
 * await updates.stop();
 * ```
 * @public
 */
export class UpdateSupervisor {
  private readonly ctx: UpdaterContext;
  private readonly updaters = new Map<string, Updater>();
  private readonly running = new Map<Updater, Promise<void>>();
  private subscription: Subscription | undefined;
  private stopped = false;

  constructor(options: UpdateSupervisorOptions) {
    this.ctx = {
      store: options.store,
      clock: options.clock,
      random: options.random,
      logger: options.logger,
      writes: new WriteQueue(options.store),
    };
  }

  /**
   * Starts updating `service` (as read from the store) in the background; returns at once.
   *
   * @param service - the service with its new spec and spec version
   * @param slots - every runnable slot of the service: the tasks with desired state up to
   *   `running` that share a slot number (replicated) or a node (global)
   */
  update(service: Service, slots: readonly (readonly Task[])[]): void {
    if (this.stopped) return;
    const existing = this.updaters.get(service.id);
    if (existing !== undefined && !existing.isCancelled && existing.specVersion >= service.specVersion) return;
    existing?.cancel();
    const updater = new Updater(this.ctx, service, slots);
    this.updaters.set(service.id, updater);
    this.watch();
    // Let the cancelled updater settle its in-flight write before the new one reads the slots.
    const prior = existing === undefined ? undefined : this.running.get(existing);
    const done = (prior ?? Promise.resolve())
      .then(() => updater.run())
      .catch((error: unknown) => this.ctx.logger?.warn?.('update supervisor: update ended with an error', { serviceId: service.id, error: String(error) }))
      .finally(() => {
        this.running.delete(updater);
        if (this.updaters.get(service.id) === updater) this.updaters.delete(service.id);
        if (this.updaters.size === 0) this.unwatch();
      });
    this.running.set(updater, done);
  }

  /** Cancels the update of a service, if one runs (e.g. the service was deleted). */
  cancel(serviceId: string): void {
    const updater = this.updaters.get(serviceId);
    if (updater === undefined) return;
    updater.cancel();
    this.updaters.delete(serviceId);
  }

  /** True while an update of the service runs. */
  isUpdating(serviceId: string): boolean {
    return this.updaters.has(serviceId);
  }

  /** Cancels every update and waits until they have ended. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const updater of this.updaters.values()) updater.cancel();
    this.updaters.clear();
    await Promise.all([...this.running.values()]);
    this.unwatch();
  }

  private watch(): void {
    if (this.subscription !== undefined || this.stopped) return;
    this.subscription = this.ctx.store.watch<'task' | 'node'>({ kind: ['task', 'node'] }).subscribe({
      next: (event) => this.route(event),
      error: (error: unknown) => {
        // Overflow (a huge burst of writes) or a closed store: watch again and re-read.
        this.ctx.logger?.debug?.('update supervisor: watch ended; re-reading', { error: String(error) });
        this.subscription = undefined;
        if (this.stopped || this.updaters.size === 0) return;
        this.watch();
        for (const updater of this.updaters.values()) updater.resync();
      },
    });
  }

  private unwatch(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private route(event: StoreEvent<'task' | 'node'>): void {
    if (event.type === 'commit') return;
    if (event.kind === 'task') {
      this.updaters.get(event.object.serviceId)?.taskChanged(event.object, event.type === 'delete');
      return;
    }
    for (const updater of this.updaters.values()) updater.nodeChanged(event.object.id);
  }
}
