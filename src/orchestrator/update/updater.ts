import { isTerminal, serviceModeKind, taskStateOrder } from '../../api/index.js';
import type { Service, Task } from '../../api/index.js';
import { NotFoundError, VersionConflictError } from '../../errors/index.js';
import type { Random } from '../../runtime/index.js';
import type { ReadTx, WriteTx } from '../../store/index.js';
import { isTaskDirty, newTask } from '../common/index.js';
import { coveringTasks } from '../support/placement.js';
import { isRunnable } from '../support/tasks.js';
import { finalMonitorPeriod, resolveUpdateConfig, type ResolvedUpdateConfig } from './config.js';
import { rollbackPausedMessage, updatePausedMessage, updateRolledBackMessage } from './messages.js';
import { markCompleted, markPaused, markStarted, startRollback, type StatusContext } from './status.js';
import { Waits } from './waits.js';
import type { WriteQueue } from './write-queue.js';

/**
 * How long a stop-first replacement waits for the task it replaces to stop before it starts
 * anyway (SwarmKit's restart supervisor gives the old task one minute).
 *
 * @public
 */
export const OLD_TASK_STOP_TIMEOUT_MS = 60_000;

const RUNNING = taskStateOrder('running');
/** Attempts of one write that keeps losing races with other loops' writes. */
const MAX_WRITE_ATTEMPTS = 5;
const ASSIGNED = taskStateOrder('assigned');

/** What an updater needs. @internal */
export interface UpdaterContext extends StatusContext {
  readonly random: Random;
  readonly writes: WriteQueue;
}

/** A task this update created: when it was first seen running, and whether its end was judged. */
interface Created {
  runningAt?: number;
  judged: boolean;
}

function byAge(a: Task, b: Task): number {
  return a.meta.createdAt - b.meta.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Rolls one service's dirty slots over to its current spec (SwarmKit's `Updater`); see
 * `UpdateSupervisor` for the behaviour. One instance per (service, spec version); it is
 * cancelled when a newer spec version arrives.
 *
 * @internal
 */
export class Updater {
  readonly serviceId: string;
  readonly specVersion: number;
  private service: Service;
  private readonly global: boolean;
  private readonly waits: Waits;
  private config: ResolvedUpdateConfig | undefined;
  private rollingBack = false;
  private cancelled = false;
  private halted = false;
  private dirtySlots = 0;
  private failures = 0;
  private allDispatched = false;
  private finalPeriod = 0;
  private readonly created = new Map<string, Created>();
  /**
   * `isTaskDirty` answers by (task spec, node): tasks share their spec object with every task of
   * the same spec version, and stored nodes are immutable, so a million slots cost as many
   * lookups and only a few spec comparisons.
   */
  private readonly dirtyMemo = new WeakMap<object, WeakMap<object, boolean>>();
  private static readonly NO_NODE = {};
  private action: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: UpdaterContext,
    service: Service,
    private readonly slots: readonly (readonly Task[])[],
  ) {
    this.serviceId = service.id;
    this.specVersion = service.specVersion;
    this.service = service;
    const kind = serviceModeKind(service.spec);
    this.global = kind === 'global' || kind === 'globalJob';
    this.waits = new Waits(ctx.clock);
  }

  /** True once cancelled. */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Stops at once: no further writes start, every wait ends. Idempotent. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.waits.cancelAll();
  }

  /** A task of this service was created, changed or deleted (`deleted` true). */
  taskChanged(task: Task, deleted: boolean): void {
    if (this.cancelled) return;
    const created = this.created.get(task.id);
    if (created !== undefined && !deleted) this.judge(task, created);
    this.waits.taskChanged(task.id);
  }

  /** A node changed (a wait for an old task may depend on its node going down). */
  nodeChanged(nodeId: string): void {
    if (!this.cancelled && this.waits.watchesNode(nodeId)) this.waits.nodeChanged(nodeId);
  }

  /** Re-reads what events may have been lost (after the supervisor's watch overflowed). */
  resync(): void {
    if (this.cancelled) return;
    const tasks = this.ctx.store.view((tx) => [...this.created.keys()].map((id) => tx.tasks.get(id)));
    for (const task of tasks) if (task !== undefined) this.taskChanged(task, false);
    this.waits.recheckAll();
  }

  /** Runs the update to its end: completed, paused, rolled back, or cancelled. Never rejects on write failures. */
  async run(): Promise<void> {
    const { store } = this.ctx;
    const current = store.view((tx) => tx.services.get(this.serviceId));
    if (this.cancelled || current === undefined || current.specVersion !== this.specVersion) return;
    this.service = current;
    const state = current.updateStatus?.state;
    if (state === 'paused' || state === 'rollback_paused') return;
    const dirty = store.view((tx) => this.slots.filter((slot) => this.isSlotDirty(tx, slot)));
    if (dirty.length === 0) {
      if (state === 'updating' || state === 'rollback_started') await markCompleted(this.ctx, this.serviceId, this.specVersion);
      return;
    }
    this.rollingBack = state === 'rollback_started';
    const config = (this.config = resolveUpdateConfig(current, this.rollingBack));
    this.finalPeriod = finalMonitorPeriod(config);
    this.dirtySlots = dirty.length;
    if (current.updateStatus === undefined) await markStarted(this.ctx, this.serviceId, this.specVersion);
    this.ctx.logger?.info?.(this.rollingBack ? 'rollback started' : 'update started', {
      serviceId: this.serviceId,
      specVersion: this.specVersion,
      dirtySlots: dirty.length,
    });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!this.stopped && next < dirty.length) {
        const slot = dirty[next++] as readonly Task[];
        if (next === dirty.length) this.allDispatched = true;
        await this.updateSlot(slot);
        if (config.delay > 0 && !this.stopped) await this.waits.sleep(config.delay);
      }
    };
    const workers = config.parallelism === 0 ? dirty.length : Math.min(config.parallelism, dirty.length);
    await Promise.all(Array.from({ length: workers }, worker));
    // Keep watching the last tasks before declaring victory (moby#37972: at least delay + 1 s).
    if (!this.stopped) await this.waits.sleep(this.finalPeriod);
    if (!this.stopped) {
      await markCompleted(this.ctx, this.serviceId, this.specVersion);
      this.ctx.logger?.info?.(this.rollingBack ? 'rollback completed' : 'update completed', { serviceId: this.serviceId });
    }
    await this.action;
  }

  private get stopped(): boolean {
    return this.cancelled || this.halted;
  }

  private isDirty(tx: ReadTx, task: Task): boolean {
    if (task.specVersion === this.specVersion) return false;
    const node = task.nodeId === '' ? undefined : tx.nodes.get(task.nodeId);
    let byNode = this.dirtyMemo.get(task.spec);
    if (byNode === undefined) this.dirtyMemo.set(task.spec, (byNode = new WeakMap()));
    const key = node ?? Updater.NO_NODE;
    let dirty = byNode.get(key);
    if (dirty === undefined) byNode.set(key, (dirty = isTaskDirty(this.service, task, node)));
    return dirty;
  }

  private isSlotDirty(tx: ReadTx, slot: readonly Task[]): boolean {
    return slot.length > 1 || (slot.length === 1 && this.isDirty(tx, slot[0] as Task));
  }

  /**
   * The slot's tasks now (it may have changed since the orchestrator listed it): its runnable
   * tasks, or the finished task of a slot its restart policy left done (see `coveringTasks`).
   */
  private currentSlot(tx: ReadTx, snapshot: readonly Task[]): Task[] {
    const first = snapshot[0] as Task;
    const found = this.global
      ? tx.tasks.find({ serviceId: this.serviceId, nodeId: first.nodeId })
      : tx.tasks.find({ serviceId: this.serviceId, slot: first.slot });
    return [...coveringTasks(this.service, found, this.ctx.clock.now())].sort(byAge);
  }

  private async updateSlot(snapshot: readonly Task[]): Promise<void> {
    if (snapshot.length === 0) return;
    const slot = this.ctx.store.view((tx) => this.currentSlot(tx, snapshot).map((task) => ({ task, dirty: this.isDirty(tx, task) })));
    if (slot.length === 0) return;
    if (!slot.some(({ task }) => isRunnable(task))) {
      // A slot left done by its restart policy: an out-of-date task there is replaced by one of
      // the new spec (as SwarmKit does); an up-to-date one stays done.
      if (slot.some(({ dirty }) => dirty)) await this.replace(slot.map((s) => s.task));
      return;
    }
    let keep: Task | undefined;
    for (const { task, dirty } of slot) {
      if (dirty) continue;
      if (task.desiredState === 'running') {
        keep = task;
        break;
      }
      if (taskStateOrder(task.desiredState) < RUNNING) keep = task;
    }
    const tasks = slot.map((s) => s.task);
    if (keep !== undefined) await this.useExisting(keep, tasks.filter((t) => t !== keep));
    else await this.replace(tasks);
  }

  /** The slot already holds a task of the new spec: keep it, stop the others, start it if it waits. */
  private async useExisting(keep: Task, others: readonly Task[]): Promise<void> {
    if (others.length === 0 && keep.desiredState === 'running') return;
    const old = await this.write((tx) => this.shutDown(tx, others));
    if (old === undefined || taskStateOrder(keep.desiredState) >= RUNNING) return;
    await this.untilStopped(old);
    await this.write((tx) => this.start(tx, keep.id));
  }

  /** Replaces the slot's tasks with a new one, in the configured order, and waits for it to run. */
  private async replace(old: readonly Task[]): Promise<void> {
    const config = this.config as ResolvedUpdateConfig;
    const startFirst = config.order === 'start-first';
    const first = old[0] as Task;
    const id = this.ctx.random.id();
    const task = newTask(this.service, {
      id,
      now: this.ctx.clock.now(),
      slot: first.slot,
      ...(this.global ? { nodeId: first.nodeId } : {}),
      desiredState: startFirst ? 'running' : 'ready',
    });
    this.created.set(id, { judged: false });
    const stopped = await this.write((tx) => {
      if (tx.services.get(this.serviceId) === undefined) throw new NotFoundError('service', this.serviceId);
      tx.tasks.create(task);
      return startFirst ? [] : this.shutDown(tx, old);
    });
    if (stopped === undefined) {
      this.created.delete(id);
      return;
    }
    if (!startFirst) {
      // Stop-first: the new task waits (desired `ready`) until the old one has stopped.
      await this.untilStopped(stopped);
      await this.write((tx) => this.start(tx, id));
    }
    await this.waits.until(() => this.ctx.store.view((tx) => this.reachedRunning(tx, id)), [id], []);
    if (!startFirst || this.cancelled) return;
    // Start-first: stop the old tasks only once the new one runs; if it failed instead, they stay.
    const now = this.ctx.store.view((tx) => tx.tasks.get(id));
    if (now?.status.state === 'running') await this.write((tx) => this.shutDown(tx, old));
  }

  private reachedRunning(tx: ReadTx, id: string): boolean {
    const task = tx.tasks.get(id);
    return task === undefined || taskStateOrder(task.status.state) >= RUNNING;
  }

  /** Sets desired `shutdown` on those of `tasks` still meant to run; returns the ids of all that exist. */
  private shutDown(tx: WriteTx, tasks: readonly Task[]): string[] {
    const ids: string[] = [];
    for (const t of tasks) {
      const current = tx.tasks.get(t.id);
      if (current === undefined) continue;
      ids.push(t.id);
      if (taskStateOrder(current.desiredState) <= RUNNING) {
        tx.tasks.update(t.id, (d) => {
          d.desiredState = 'shutdown';
        });
      }
    }
    return ids;
  }

  /** Moves a waiting (desired `ready`) task to desired `running`. */
  private start(tx: WriteTx, id: string): void {
    const current = tx.tasks.get(id);
    if (current === undefined || taskStateOrder(current.desiredState) >= RUNNING) return;
    tx.tasks.update(id, (d) => {
      d.desiredState = 'running';
    });
  }

  /** A task has stopped for our purposes: gone, ended, never placed, or on a node that is down or gone. */
  private hasStopped(tx: ReadTx, id: string): boolean {
    const task = tx.tasks.get(id);
    if (task === undefined || taskStateOrder(task.status.state) > RUNNING) return true;
    if (task.nodeId === '' || taskStateOrder(task.status.state) < ASSIGNED) return true;
    const node = tx.nodes.get(task.nodeId);
    return node === undefined || node.status.state === 'down';
  }

  private async untilStopped(ids: readonly string[]): Promise<void> {
    if (ids.length === 0 || this.cancelled) return;
    const nodeIds = this.ctx.store.view((tx) => [...new Set(ids.map((id) => tx.tasks.get(id)?.nodeId ?? '').filter((n) => n !== ''))]);
    const holds = (): boolean => this.ctx.store.view((tx) => ids.every((id) => this.hasStopped(tx, id)));
    await this.waits.until(holds, ids, nodeIds, OLD_TASK_STOP_TIMEOUT_MS);
  }

  /**
   * Runs a write unless cancelled; undefined when cancelled or when the write failed (logged).
   * A write that lost a race (behind raft, a transaction staged against a task that another loop
   * changed before it committed fails with `VersionConflictError`) is run again, up to
   * {@link MAX_WRITE_ATTEMPTS} times: every write here re-reads what it changes.
   */
  private async write<T>(fn: (tx: WriteTx) => T): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      if (this.cancelled) return undefined;
      try {
        return await this.ctx.writes.write(fn);
      } catch (error) {
        if (error instanceof VersionConflictError && attempt < MAX_WRITE_ATTEMPTS) continue;
        this.ctx.logger?.warn?.('update supervisor: a slot update failed', { serviceId: this.serviceId, error: String(error) });
        return undefined;
      }
    }
  }

  /**
   * Judges a task this update created: running marks the start of its monitoring window; ending
   * (any state after running) before running, or within the window, is a failure. The window is
   * `monitor`, and once every slot has been handed out, the final monitoring period (so a last
   * batch failing during the trailing delay still counts, as SwarmKit's fix for moby#37972 does).
   */
  private judge(task: Task, created: Created): void {
    const now = this.ctx.clock.now();
    const state = task.status.state;
    if (state === 'running' && created.runningAt === undefined) created.runningAt = now;
    if (!isTerminal(state) || created.judged) return;
    created.judged = true;
    const window = this.allDispatched ? this.finalPeriod : (this.config?.monitor ?? 0);
    if (created.runningAt !== undefined && now - created.runningAt > window) return;
    this.failures++;
    this.ctx.logger?.info?.('updated task failed', { serviceId: this.serviceId, taskId: task.id, failures: this.failures });
    this.onFailure(task.id);
  }

  private onFailure(taskId: string): void {
    const config = this.config;
    if (config === undefined || this.stopped) return;
    if (this.failures / this.dirtySlots <= config.maxFailureRatio || config.failureAction === 'continue') return;
    this.halted = true;
    this.waits.wakeSleeps();
    const { serviceId, specVersion } = this;
    if (config.failureAction === 'pause' || this.rollingBack) {
      const message = this.rollingBack ? rollbackPausedMessage(taskId) : updatePausedMessage(taskId);
      this.action = markPaused(this.ctx, serviceId, specVersion, message);
    } else {
      const noPrevious = `${updatePausedMessage(taskId)} (no previous spec to roll back to)`;
      this.action = startRollback(this.ctx, serviceId, specVersion, updateRolledBackMessage(taskId), noPrevious);
    }
    this.ctx.logger?.info?.(`update halted: ${config.failureAction}`, { serviceId, taskId });
  }
}
