import { DEFAULT_CLUSTER_NAME, serviceModeKind } from '../../api/index.js';
import type { Service, ServiceModeKind, Task } from '../../api/index.js';
import type { TimerHandle } from '../../runtime/index.js';
import type { ObjectEvent, ReadTx } from '../../store/index.js';
import { LoopDriver, takeSome, type LoopOptions } from '../support/store-loop.js';
import { hasEnded, hasStopped, isAlive, isPerNode } from '../support/tasks.js';
import { removable, retentionOf, slotLimit, tasksToDelete } from './retention.js';

/** How often the task reaper cleans the slots that changed: every 250 ms (SwarmKit's). @public */
export const REAPER_INTERVAL_MS = 250;

/** Dirty slots that make the task reaper clean at once instead of waiting: 1000 (SwarmKit's). @public */
export const REAPER_MAX_DIRTY = 1000;

/** Options of {@link TaskReaper}. @public */
export interface TaskReaperOptions {
  readonly store: LoopOptions['store'];
  readonly clock: LoopOptions['clock'];
  readonly logger?: LoopOptions['logger'];
  /** Tasks deleted or changed per transaction at most (default 1000). */
  readonly batchSize?: number;
  /** Watch buffer bound (default 100,000 events). */
  readonly watchBufferSize?: number;
}

const SEP = '\u0000';

/**
 * Garbage-collects task history (SwarmKit's task reaper, leader only).
 *
 * - Each slot (each node, for global modes) keeps at most the cluster's
 *   `taskHistoryRetentionLimit` tasks (default 5; negative keeps all), raised to
 *   `maxAttempts + 1` (and to the backoff's steps plus one) so restart decisions keep the history
 *   they read. The oldest tasks that are no longer wanted and ended, never ran, or sit on a
 *   removed node go first; running tasks are never deleted.
 * - A task with desired `remove` is deleted once it stopped (state `complete` or later, before
 *   `assigned`, or its node removed).
 * - When a service is deleted, its tasks get desired `remove` (agents stop them) and are deleted
 *   once stopped; tasks left without a service by an earlier leader are found at start.
 *
 * Slots are marked dirty by task creations and by tasks that end or change desired state; the
 * reaper cleans them every {@link REAPER_INTERVAL_MS}, or at once past {@link REAPER_MAX_DIRTY}
 * dirty entries. Its timer runs only while something is dirty.
 *
 * @public
 */
export class TaskReaper {
  private readonly loop: LoopDriver;
  private retention = retentionOf(undefined);
  private readonly modes = new Map<string, ServiceModeKind>();
  private readonly dirtySlots = new Set<string>();
  private readonly removeCandidates = new Set<string>();
  private readonly deletedServices = new Set<string>();
  private readonly deletedNodes = new Set<string>();
  /** Tasks of deleted services to mark `remove`, and tasks to delete, a batch at a time. */
  private toMark: string[] = [];
  private toDelete: string[] = [];
  private timer: TimerHandle | undefined;

  constructor(options: TaskReaperOptions) {
    this.loop = new LoopDriver(options, {
      name: 'task reaper',
      kinds: ['task', 'service', 'node', 'cluster'],
      load: (tx) => this.load(tx),
      onEvent: (e) => this.onEvent(e),
      work: () => this.work(),
      onCommit: () => this.onCommit(),
      onStop: () => this.onStop(),
    });
  }

  /** Starts the loop (reading what the store already holds first). Idempotent. */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and cancels its timers. Idempotent. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private load(tx: ReadTx): void {
    this.modes.clear();
    this.dirtySlots.clear();
    this.removeCandidates.clear();
    this.deletedServices.clear();
    this.deletedNodes.clear();
    this.toMark = [];
    this.toDelete = [];
    this.retention = retentionOf(tx.clusters.find({ name: DEFAULT_CLUSTER_NAME })[0]);
    for (const s of tx.services.all()) this.modes.set(s.id, serviceModeKind(s.spec));
    for (const t of tx.tasks.all()) {
      if (!this.modes.has(t.serviceId)) this.deletedServices.add(t.serviceId);
      else if (t.desiredState === 'remove') this.removeCandidates.add(t.id);
      else if (!isAlive(t)) this.markSlot(t);
    }
  }

  private onEvent(event: ObjectEvent): void {
    switch (event.kind) {
      case 'cluster':
        if (event.type !== 'delete' && event.object.spec.name === DEFAULT_CLUSTER_NAME) this.retention = retentionOf(event.object);
        return;
      case 'service':
        if (event.type === 'delete') {
          this.modes.delete(event.object.id);
          this.deletedServices.add(event.object.id);
        } else {
          this.modes.set(event.object.id, serviceModeKind(event.object.spec));
        }
        return;
      case 'node':
        if (event.type === 'delete') this.deletedNodes.add(event.object.id);
        return;
      case 'task': {
        if (event.type === 'delete') return;
        const t = event.object;
        if (t.desiredState === 'remove') this.removeCandidates.add(t.id);
        else if (event.type === 'create' || (!isAlive(t) && (t.desiredState !== event.old.desiredState || hasEnded(t) !== hasEnded(event.old)))) this.markSlot(t);
        return;
      }
      default:
        return;
    }
  }

  private markSlot(t: Task): void {
    const mode = this.modes.get(t.serviceId);
    if (mode === undefined) return;
    this.dirtySlots.add(isPerNode(mode) ? `n${SEP}${t.serviceId}${SEP}${t.nodeId}` : `s${SEP}${t.serviceId}${SEP}${t.slot}`);
  }

  private get backlog(): number {
    return this.dirtySlots.size + this.removeCandidates.size + this.deletedServices.size + this.deletedNodes.size;
  }

  private onCommit(): void {
    if (this.backlog >= REAPER_MAX_DIRTY) {
      this.loop.kick();
      return;
    }
    if (this.backlog === 0 || this.timer !== undefined) return;
    this.timer = this.loop.clock.setTimeout(() => {
      this.timer = undefined;
      this.loop.kick();
    }, REAPER_INTERVAL_MS);
  }

  private onStop(): void {
    if (this.timer !== undefined) this.loop.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async work(): Promise<boolean> {
    if (this.toMark.length > 0 || this.toDelete.length > 0) {
      await this.writeSome();
    } else if (this.deletedServices.size > 0) {
      const ids = takeSome(this.deletedServices, 1);
      this.loop.store.view((tx) => {
        for (const id of ids) {
          if (tx.services.get(id) !== undefined) continue;
          for (const t of tx.tasks.find({ serviceId: id })) {
            if (hasStopped(t, t.nodeId === '' || tx.nodes.get(t.nodeId) !== undefined)) this.toDelete.push(t.id);
            else if (t.desiredState !== 'remove') this.toMark.push(t.id);
          }
        }
      });
    } else if (this.deletedNodes.size > 0) {
      const ids = takeSome(this.deletedNodes, this.deletedNodes.size);
      this.loop.store.view((tx) => {
        for (const id of ids) for (const t of tx.tasks.find({ nodeId: id })) if (t.desiredState === 'remove') this.removeCandidates.add(t.id);
        for (const id of ids) for (const t of tx.tasks.find({ nodeId: id })) if (!isAlive(t)) this.markSlot(t);
      });
    } else if (this.removeCandidates.size > 0 || this.dirtySlots.size > 0) {
      this.collect();
    }
    return this.toMark.length > 0 || this.toDelete.length > 0 || this.backlog > 0;
  }

  /** Finds what a batch of dirty slots and removal candidates can delete. */
  private collect(): void {
    const candidates = takeSome(this.removeCandidates, this.loop.batchSize);
    const slots = takeSome(this.dirtySlots, this.loop.batchSize);
    this.loop.store.view((tx) => {
      const nodeExists = (id: string): boolean => tx.nodes.get(id) !== undefined;
      for (const id of candidates) {
        const t = tx.tasks.get(id);
        if (t !== undefined && removable(t, t.nodeId === '' || nodeExists(t.nodeId))) this.toDelete.push(id);
      }
      for (const key of slots) {
        const [scope, serviceId, where] = key.split(SEP) as [string, string, string];
        const tasks = scope === 'n' ? tx.tasks.find({ serviceId, nodeId: where }).filter((t) => t.slot === 0) : tx.tasks.find({ serviceId, slot: Number(where) });
        const service: Service | undefined = tx.services.get(serviceId);
        const limit = service === undefined ? -1 : slotLimit(service, this.retention);
        for (const id of tasksToDelete(tasks, service, limit, nodeExists)) this.toDelete.push(id);
      }
    });
  }

  private async writeSome(): Promise<void> {
    const mark = popSome(this.toMark, this.loop.batchSize);
    const del = popSome(this.toDelete, this.loop.batchSize - mark.length);
    try {
      await this.loop.write((tx) => {
        for (const id of mark) {
          const t = tx.tasks.get(id);
          if (t !== undefined && t.desiredState !== 'remove' && tx.services.get(t.serviceId) === undefined) {
            tx.tasks.update(id, (d) => {
              d.desiredState = 'remove';
            });
          }
        }
        for (const id of del) {
          const t = tx.tasks.get(id);
          // Re-checked: the task may have been given a new life (or deleted) since it was chosen.
          if (t !== undefined && (!isAlive(t) || tx.services.get(t.serviceId) === undefined)) tx.tasks.delete(id);
        }
      });
    } catch (err) {
      for (const id of mark) this.toMark.push(id);
      for (const id of del) this.toDelete.push(id);
      throw err;
    }
  }
}

/** Removes and returns up to `n` entries from the end of `list` (order does not matter here). */
function popSome(list: string[], n: number): string[] {
  const out: string[] = [];
  while (out.length < n && list.length > 0) out.push(list.pop() as string);
  return out;
}
