import type { Subscription } from 'rxjs';
import type { Task } from '../api/index.js';
import { InvalidStateError, ValidationError, WatchOverflowError } from '../errors/index.js';
import type { Clock, Logger, TimerHandle } from '../runtime/index.js';
import type { ObjectEvent, Store, StoreEvent } from '../store/index.js';
import type { Filter } from './filter.js';
import { defaultFilters } from './filters.js';
import { NodeSet } from './node-set.js';
import { Planner, type Placement, type PlacementPlan, type Unplaced } from './planner.js';
import { resolveStrategy, type SchedulingStrategy, type StrategyName } from './strategy.js';
import { writeDecisions } from './write-decisions.js';
import { isActiveTask, taskRole, type TaskRole } from './task-resources.js';

/** Quiet time after the last relevant commit before a scheduling pass (SwarmKit's 50 ms). @public */
export const DEFAULT_BATCH_DELAY_MS = 50;
/** Longest a stream of commits may hold back a pass (SwarmKit's 1 s). @public */
export const DEFAULT_MAX_BATCH_DELAY_MS = 1000;
/**
 * Most tasks the scheduler changes per store transaction. Each change reaches every store
 * watcher as one event, and a watcher holds at most 10,000 undelivered events by default, so a
 * transaction must stay well below that; 1,000 task updates also keep an encoded transaction
 * far under raft's entry limits. 100,000 placements are 100 transactions.
 *
 * @public
 */
export const DEFAULT_TRANSACTION_SIZE = 1000;

/**
 * Default bound on the undelivered node and task events the scheduler's watch may hold before it
 * overflows and the scheduler re-reads the whole store. Transactions of other loops change up to 10,000 tasks each
 * and several may commit between deliveries, so the store's default (10,000) would overflow on
 * every large burst, and re-reading a million tasks per burst makes placement quadratic.
 */
export const DEFAULT_SCHEDULER_WATCH_BUFFER = 200_000;

/** Options of {@link Scheduler}. @public */
export interface SchedulerOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** `spread` (default), `binpack`, or a {@link SchedulingStrategy}. */
  readonly strategy?: StrategyName | SchedulingStrategy;
  readonly logger?: Logger;
  /** Quiet gap, in ms, between the last relevant commit and a pass (default {@link DEFAULT_BATCH_DELAY_MS}). */
  readonly batchDelay?: number;
  /** Most a pass is delayed by a stream of commits, in ms (default {@link DEFAULT_MAX_BATCH_DELAY_MS}). */
  readonly maxBatchDelay?: number;
  /**
   * Most task changes per store transaction (default {@link DEFAULT_TRANSACTION_SIZE}). Halved
   * whenever the store refuses a transaction as too large (its `maxTransactionBytes`).
   */
  readonly transactionSize?: number;
  /**
   * Undelivered store events the scheduler's watch may hold; past it the scheduler re-reads the
   * store (default {@link DEFAULT_SCHEDULER_WATCH_BUFFER}).
   */
  readonly watchBufferSize?: number;
  /** Makes the filter pipeline (default `defaultFilters`); filters are stateful, return fresh ones. */
  readonly filters?: () => Filter[];
}

/** What one scheduling pass did. @public */
export interface SchedulePassResult {
  /** Tasks moved to `assigned` (preassigned ones confirmed included). */
  readonly assigned: number;
  /** Tasks that fit nowhere and stay `pending`. */
  readonly unplaced: number;
  /** Pending tasks whose reason was (re)written; unchanged reasons are not rewritten. */
  readonly explained: number;
  /** Decisions dropped because the task or its node changed meanwhile; they are retried. */
  readonly conflicts: number;
  /** Store transactions committed. */
  readonly transactions: number;
}

const NOTHING: SchedulePassResult = Object.freeze({ assigned: 0, unplaced: 0, explained: 0, conflicts: 0, transactions: 0 });

function nonNegative(value: number | undefined, fallback: number, path: string, min = 0): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min) throw new ValidationError([{ path, message: `must be a number >= ${min}` }]);
  return v;
}

/**
 * Moves pending tasks to nodes (PENDING → ASSIGNED), as SwarmKit's scheduler does, watching the
 * store and writing back through transactions.
 *
 * - It keeps a {@link NodeSet} up to date from node and task events (never rescanning the store);
 *   a task holds its node's resources from `assigned` through `running`.
 * - Relevant changes (a new pending task, a node created or updated, a task deleted or leaving the
 *   running set, which frees resources) trigger a pass, debounced: 50 ms after the last commit,
 *   at most 1 s after the first. Every pass retries every pending task, so a task never stays
 *   pending once some node fits it.
 * - A pass plans every pending task at once (see `planPlacements`): preassigned tasks (global
 *   services) are only checked on their node; the others go by group (service and spec version).
 *   Decisions are written in transactions of at most `transactionSize` tasks; a decision whose
 *   task or node changed meanwhile is dropped and retried.
 * - A task that fits nowhere stays `pending` with `status.err` (and `status.message`) set to
 *   `no suitable node (...)`; the task is rewritten only when that text changes.
 * - Failures and rejections of tasks it placed are remembered per node for 5 minutes, so a node
 *   where a service keeps failing is tried last.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({ store, clock, strategy: 'spread' });
 * scheduler.start();
 * // ... later
 * await scheduler.stop();
 * ```
 * @public
 */
export class Scheduler {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly planner: Planner;
  private readonly strategyName: string;
  private readonly gap: number;
  private readonly maxDelay: number;
  private txSize: number;
  private readonly watchBuffer: number;
  private nodes = new NodeSet();
  /** Pending tasks, unassigned or preassigned, by id: the store versions last seen. */
  private queued = new Map<string, Task>();
  /** Tasks ever seen pending with a node (their failures do not count against the node). */
  private preassignedIds = new Set<string>();
  private dirty = false;
  private active = false;
  private subscription: Subscription | undefined;
  private timer: TimerHandle | undefined;
  private debounceStart = 0;
  private running: Promise<SchedulePassResult> | undefined;

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    const strategy = resolveStrategy(options.strategy);
    this.strategyName = strategy.name;
    this.planner = new Planner(strategy, (options.filters ?? defaultFilters)());
    this.gap = nonNegative(options.batchDelay, DEFAULT_BATCH_DELAY_MS, 'batchDelay');
    this.maxDelay = nonNegative(options.maxBatchDelay, DEFAULT_MAX_BATCH_DELAY_MS, 'maxBatchDelay');
    this.watchBuffer = Math.floor(nonNegative(options.watchBufferSize, DEFAULT_SCHEDULER_WATCH_BUFFER, 'watchBufferSize', 1));
    this.txSize = Math.floor(nonNegative(options.transactionSize, DEFAULT_TRANSACTION_SIZE, 'transactionSize', 1));
  }

  /** Whether `start` was called and `stop` was not. */
  get started(): boolean {
    return this.active;
  }

  /** Tasks waiting for a node (including preassigned ones waiting for their node to fit). */
  get pendingTasks(): number {
    return this.queued.size;
  }

  /** The scheduler's view of the nodes (read-only use: it changes with every event). */
  get nodeSet(): NodeSet {
    return this.nodes;
  }

  /** Reads the store, starts watching it and runs a first pass at once. */
  start(): void {
    if (this.active) throw new InvalidStateError('scheduler already started');
    this.active = true;
    this.sync();
    this.logger?.info?.('scheduler started', { strategy: this.strategyName, nodes: this.nodes.size, pending: this.pendingTasks });
    void this.pass();
  }

  /** Stops watching; resolves once a pass in flight has finished (it writes nothing more). */
  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running !== undefined) await this.running;
    this.logger?.info?.('scheduler stopped');
  }

  /**
   * Runs a pass now (after any pass in flight), skipping the debounce; resolves when its
   * decisions are committed. Events committed before the call but not delivered yet are not
   * seen: let microtasks run first (`await flushMicrotasks()`).
   */
  async scheduleOnce(): Promise<SchedulePassResult> {
    if (!this.active) throw new InvalidStateError('scheduler not started');
    while (this.running !== undefined) await this.running;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    return this.pass();
  }

  private sync(): void {
    this.subscription?.unsubscribe();
    const { result, events } = this.store.viewAndWatch((tx) => ({ nodes: tx.nodes.all(), tasks: tx.tasks.all() }), { kind: ['node', 'task'], bufferSize: this.watchBuffer });
    const previous = this.nodes;
    this.nodes = new NodeSet();
    this.queued = new Map();
    const preassignedBefore = this.preassignedIds;
    this.preassignedIds = new Set();
    for (const n of result.nodes) {
      const info = this.nodes.setNode(n);
      const before = previous.get(n.id);
      if (before !== undefined) info.copyFailuresFrom(before);
    }
    for (const t of result.tasks) {
      if (preassignedBefore.has(t.id)) this.preassignedIds.add(t.id);
      this.file(t, taskRole(t));
    }
    this.dirty = true;
    this.subscription = events.subscribe({
      next: (e) => this.onEvent(e),
      error: (err: unknown) => this.onWatchError(err),
      complete: () => {
        if (!this.active) return;
        this.logger?.info?.('scheduler: the store closed; stopping');
        void this.stop();
      },
    });
  }

  private onWatchError(err: unknown): void {
    if (!this.active) return;
    if (err instanceof WatchOverflowError) {
      this.logger?.warn?.('scheduler fell behind the store; re-reading it', { error: err.message });
      this.sync();
      this.arm();
      return;
    }
    this.logger?.warn?.('scheduler watch failed; stopping', { error: err instanceof Error ? err.message : String(err) });
    void this.stop();
  }

  private onEvent(e: StoreEvent<'node' | 'task'>): void {
    if (e.type === 'commit') {
      if (this.dirty) this.arm();
      return;
    }
    if (e.kind === 'node') {
      if (e.type === 'delete') this.nodes.removeNode(e.object.id);
      else {
        this.nodes.setNode(e.object);
        this.dirty = true;
      }
      return;
    }
    this.onTask(e);
  }

  private onTask(e: ObjectEvent<'task'>): void {
    const id = e.object.id;
    if (e.type === 'update') this.recordFailure(e.old, e.object);
    const wasQueued = this.queued.delete(id);
    if (e.type === 'delete') {
      this.preassignedIds.delete(id);
      if (this.nodes.removeTask(id) !== undefined) this.dirty = true;
      return;
    }
    const t = e.object;
    const role = taskRole(t);
    if (role === 'held') {
      // Still held on the same node (usually: the scheduler's own decision committed, or the
      // agent moved the state on): updated in place. Nothing is freed, but a task no longer
      // active lowers the counts that max-replicas checks.
      const previous = this.nodes.refreshTask(t);
      if (previous !== undefined) {
        if (isActiveTask(previous) && !isActiveTask(t)) this.dirty = true;
        return;
      }
    }
    if (this.nodes.removeTask(id) !== undefined && role !== 'held') this.dirty = true;
    this.file(t, role);
    if (role === 'unassigned' || role === 'preassigned') {
      if (!wasQueued) this.dirty = true;
    }
  }

  /** Files a task under what the scheduler has to do with it. */
  private file(t: Task, role: TaskRole): void {
    if (role === 'unassigned') this.queued.set(t.id, t);
    else if (role === 'preassigned') {
      this.queued.set(t.id, t);
      this.preassignedIds.add(t.id);
    } else if (role === 'held') this.nodes.addTask(t);
    else this.preassignedIds.delete(t.id);
  }

  private recordFailure(old: Task, t: Task): void {
    const state = t.status.state;
    if (state === old.status.state || (state !== 'failed' && state !== 'rejected')) return;
    if (t.nodeId === '' || this.preassignedIds.has(t.id)) return;
    this.nodes.get(t.nodeId)?.taskFailed(t.serviceId, t.specVersion, this.clock.now());
  }

  /** Debounce: a pass `gap` ms after the last relevant commit, at most `maxDelay` ms after the first. */
  private arm(): void {
    if (!this.active) return;
    const now = this.clock.now();
    if (this.timer === undefined) {
      this.debounceStart = now;
    } else {
      this.clock.clearTimeout(this.timer);
    }
    const wait = Math.min(this.gap, this.debounceStart + this.maxDelay - now);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, Math.max(0, wait));
  }

  /** Runs a pass, or, when one is in flight, asks for another after it. */
  private pass(): Promise<SchedulePassResult> {
    if (this.running !== undefined) {
      this.dirty = true;
      return this.running;
    }
    const run = this.runPass()
      .catch((err: unknown) => {
        this.logger?.warn?.('scheduler pass failed', { error: err instanceof Error ? err.message : String(err) });
        this.dirty = true;
        return NOTHING;
      })
      .finally(() => {
        this.running = undefined;
        if (this.dirty) this.arm();
      });
    this.running = run;
    return run;
  }

  private async runPass(): Promise<SchedulePassResult> {
    this.dirty = false;
    if (!this.active || this.queued.size === 0) return NOTHING;
    const now = this.clock.now();
    const plan: PlacementPlan = this.planner.plan(this.nodes, [...this.queued.values()], now);
    // Placed tasks leave the queue (the planner recorded them on their nodes); the rest stay.
    this.queued = new Map();
    const explanations: Unplaced[] = [];
    for (const u of plan.unplaced) {
      this.queued.set(u.task.id, u.task);
      if (u.task.status.err !== u.reason || u.task.status.message !== u.reason) explanations.push(u);
    }
    const written = await writeDecisions(this.store, plan.placements, explanations, {
      now,
      transactionSize: this.txSize,
      isActive: () => this.active,
      logger: this.logger,
    });
    for (const p of written.dropped) this.revert(p);
    if (written.tooLarge && this.txSize > 1) {
      this.txSize = Math.max(1, Math.floor(this.txSize / 2));
      this.logger?.warn?.('scheduler transactions too large for the store; halving them', { transactionSize: this.txSize });
    }
    const result: SchedulePassResult = {
      assigned: plan.placements.length - written.dropped.length,
      unplaced: plan.unplaced.length,
      explained: explanations.length,
      conflicts: written.dropped.length,
      transactions: written.transactions,
    };
    this.logger?.debug?.('scheduler pass', { ...result });
    return result;
  }

  /**
   * Undoes a placement that was not committed, unless an event about the task came meanwhile
   * (then the set already holds the store's version): the task is pending again, as it was.
   */
  private revert(p: Placement): void {
    if (this.nodes.heldTask(p.task.id) !== p.assigned) return;
    this.nodes.removeTask(p.task.id);
    if (this.active) this.file(p.task, taskRole(p.task));
    this.dirty = true;
  }
}
