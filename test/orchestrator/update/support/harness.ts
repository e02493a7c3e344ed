import type { Subscription } from 'rxjs';
import { validateServiceSpec } from '../../../../src/api/index.js';
import type { Service, ServiceSpec, Task, UpdateConfig } from '../../../../src/api/index.js';
import { Random, VirtualClock, type Logger } from '../../../../src/runtime/index.js';
import { Store, type NewObject } from '../../../../src/store/index.js';
import { UpdateSupervisor, applyManualRollback, applyServiceUpdate, writeServiceChange } from '../../../../src/orchestrator/update/index.js';
import { FakeOrchestrator } from './fake-orchestrator.js';
import { FakePipeline, fakeNode, type Behaviour } from './fake-pipeline.js';

export const SERVICE_ID = 'svc-web';

export interface ScenarioOptions {
  readonly seed?: number;
  /** Number of plain nodes (n1..nN), or the nodes themselves. Default 4. */
  readonly nodes?: number | readonly NewObject<'node'>[];
  readonly replicas?: number;
  readonly global?: boolean;
  readonly image?: string;
  readonly update?: UpdateConfig;
  readonly rollback?: UpdateConfig;
  readonly constraints?: readonly string[];
  readonly behaviour?: Behaviour;
  /** The store's per-watcher buffer bound (default 10,000). */
  readonly watchBufferSize?: number;
  /** The store's per-transaction bound (the fake pipeline moves every task in one transaction). */
  readonly maxTransactionActions?: number;
  /** Receives the update supervisor's log lines. */
  readonly logger?: Logger;
}

/** Counts over every committed state of the service's tasks, from when `track` was called. */
export interface Counts {
  /** Fewest tasks in state running after any commit. */
  minRunning: number;
  /** Most tasks in state starting or running after any commit. */
  maxActive: number;
  /** Most new-image tasks not yet running (but meant to run) after any commit. */
  maxInFlight: number;
}

/**
 * A store with nodes, the fake pipeline (scheduler + agents), the fake orchestrator and a real
 * UpdateSupervisor, with one service converged to all replicas running.
 */
export class Scenario {
  readonly clock = new VirtualClock({ start: 1_000_000 });
  readonly store: Store;
  readonly random: Random;
  readonly updates: UpdateSupervisor;
  readonly pipeline: FakePipeline;
  readonly orchestrator: FakeOrchestrator;
  private readonly subscriptions: Subscription[] = [];

  private constructor(readonly options: ScenarioOptions) {
    this.store = new Store({
      clock: this.clock,
      ...(options.watchBufferSize !== undefined ? { watchBufferSize: options.watchBufferSize } : {}),
      ...(options.maxTransactionActions !== undefined ? { maxTransactionActions: options.maxTransactionActions } : {}),
    });
    this.random = Random.fromSeed(options.seed ?? 1);
    this.updates = new UpdateSupervisor({
      store: this.store,
      clock: this.clock,
      random: this.random.fork('updates'),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
    this.pipeline = new FakePipeline(this.store, this.clock, options.behaviour !== undefined ? { behaviour: options.behaviour } : {});
    this.orchestrator = new FakeOrchestrator(this.store, this.clock, this.random.fork('orchestrator'), this.updates);
  }

  static async create(options: ScenarioOptions = {}): Promise<Scenario> {
    const s = new Scenario(options);
    const nodes = typeof options.nodes === 'object' ? options.nodes : Array.from({ length: options.nodes ?? 4 }, (_, i) => fakeNode(`n${i + 1}`));
    await s.store.update((tx) => {
      for (const n of nodes) tx.nodes.create(n);
    });
    s.pipeline.start();
    s.orchestrator.start();
    const spec = validateServiceSpec({
      name: 'web',
      mode: options.global === true ? { global: {} } : { replicated: { replicas: options.replicas ?? 3 } },
      task: { container: { image: options.image ?? 'app:1' }, ...(options.constraints ? { placement: { constraints: options.constraints } } : {}) },
      ...(options.update ? { update: options.update } : {}),
      ...(options.rollback ? { rollback: options.rollback } : {}),
    });
    await s.store.update((tx) => tx.services.create({ id: SERVICE_ID, spec, specVersion: 1 }));
    const expected = options.global === true ? nodes.filter((n) => n.spec.availability === 'active').length : (options.replicas ?? 3);
    await s.until(() => s.running().length === expected, '1m');
    return s;
  }

  service(): Service {
    return this.store.view((tx) => tx.services.getOrThrow(SERVICE_ID));
  }

  tasks(): Task[] {
    return [...this.store.view((tx) => tx.tasks.find({ serviceId: SERVICE_ID }))].sort((a, b) => a.meta.createdAt - b.meta.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Tasks running and meant to run, optionally of one image. */
  running(image?: string): Task[] {
    return this.tasks().filter((t) => t.status.state === 'running' && t.desiredState === 'running' && (image === undefined || t.spec.container.image === image));
  }

  /** A user's `docker service update`, through the pure helpers. */
  async update(change: (spec: ServiceSpec) => ServiceSpec, options: { validate?: boolean } = {}): Promise<void> {
    await this.store.update((tx) => {
      const current = tx.services.getOrThrow(SERVICE_ID);
      const next = options.validate === false ? change(current.spec) : validateServiceSpec(change(current.spec));
      tx.services.update(SERVICE_ID, (d) => writeServiceChange(d, applyServiceUpdate(current, next, this.clock.now())));
    });
  }

  /** Changes the image. */
  setImage(image: string): Promise<void> {
    return this.update((spec) => ({ ...spec, task: { ...spec.task, container: { ...spec.task.container, image } } }));
  }

  /** A user's `docker service rollback`. */
  async rollback(): Promise<void> {
    await this.store.update((tx) => {
      const current = tx.services.getOrThrow(SERVICE_ID);
      tx.services.update(SERVICE_ID, (d) => writeServiceChange(d, applyManualRollback(current, this.clock.now())));
    });
  }

  /** Moves virtual time until `predicate` holds; throws when it does not within `timeout`. */
  async until(predicate: () => boolean, timeout: string | number = '10m'): Promise<void> {
    const ok = await this.clock.advanceUntilAsync(predicate, { timeout });
    if (!ok) throw new Error(`condition not reached within ${String(timeout)} (t=${this.clock.now()})`);
  }

  /** Moves virtual time until the update status reaches `state`. */
  untilStatus(state: string, timeout: string | number = '10m'): Promise<void> {
    return this.until(() => this.service().updateStatus?.state === state, timeout);
  }

  /** Tracks task counts over every committed transaction from now on. */
  track(newImage?: string): Counts {
    const counts: Counts = { minRunning: Infinity, maxActive: 0, maxInFlight: 0 };
    const tasks = new Map(this.tasks().map((t) => [t.id, t]));
    const sub = this.store.watch({ kind: 'task' }).subscribe((ev) => {
      if (ev.type !== 'commit') {
        if (ev.object.serviceId !== SERVICE_ID) return;
        if (ev.type === 'delete') tasks.delete(ev.object.id);
        else tasks.set(ev.object.id, ev.object);
        return;
      }
      let running = 0;
      let active = 0;
      let inFlight = 0;
      for (const t of tasks.values()) {
        if (t.status.state === 'running') running++;
        if (t.status.state === 'running' || t.status.state === 'starting') active++;
        if (newImage !== undefined && t.spec.container.image === newImage && t.desiredState !== 'shutdown' && t.status.state !== 'running' && t.status.state !== 'failed') inFlight++;
      }
      counts.minRunning = Math.min(counts.minRunning, running);
      counts.maxActive = Math.max(counts.maxActive, active);
      counts.maxInFlight = Math.max(counts.maxInFlight, inFlight);
    });
    this.subscriptions.push(sub);
    return counts;
  }

  /** Records every change of the service's update status from now on. */
  statusHistory(): { state: string | undefined; message: string | undefined; at: number }[] {
    const history: { state: string | undefined; message: string | undefined; at: number }[] = [];
    const sub = this.store.watch({ kind: 'service' }).subscribe((ev) => {
      if (ev.type !== 'update' || ev.object.id !== SERVICE_ID) return;
      const before = ev.old.updateStatus;
      const after = ev.object.updateStatus;
      if (before?.state === after?.state && before?.message === after?.message) return;
      history.push({ state: after?.state, message: after?.message, at: this.clock.now() });
    });
    this.subscriptions.push(sub);
    return history;
  }

  /** The tasks the update supervisor created (not the orchestrator's), oldest first. */
  createdByUpdates(image?: string): Task[] {
    return this.tasks().filter((t) => !this.orchestrator.created.has(t.id) && (image === undefined || t.spec.container.image === image));
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    this.orchestrator.stop();
    this.pipeline.stop();
    await this.updates.stop();
  }
}
