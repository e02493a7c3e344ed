import { serviceModeKind } from '../../api/index.js';
import type { Node, Service, Task } from '../../api/index.js';
import type { ObjectEvent, ReadTx, WriteTx } from '../../store/index.js';
import { isInvalidNode, isTaskDirty, newTask } from '../common/index.js';
import { ServiceLoop, type ServiceLoopOptions } from '../support/service-loop.js';
import { coveringTasks, nodeMatches } from '../support/placement.js';
import { takeSome } from '../support/store-loop.js';
import { acceptsNewTasks, hasEnded, isRunnable } from '../support/tasks.js';
import { NOOP_UPDATER, type Updater } from '../updater.js';

/** Options of {@link GlobalOrchestrator}. @public */
export interface GlobalOrchestratorOptions extends ServiceLoopOptions {
  /** Receives each service's tasks, one slot per node, when its spec changes (default: none). */
  readonly updater?: Updater;
}

/** A node's change for one service: a task to create, tasks to shut down. */
interface NodeChange {
  readonly create?: { readonly service: Service; readonly nodeId: string; readonly key: string };
  readonly stop: readonly Task[];
}

interface Plan {
  readonly service: Service;
  readonly creates: readonly string[];
  readonly shutdowns: readonly string[];
  readonly slots: readonly (readonly Task[])[];
  created: number;
  shut: number;
}

function isGlobal(service: Service | undefined): service is Service {
  return service !== undefined && serviceModeKind(service.spec) === 'global';
}

function updating(service: Service): boolean {
  const s = service.updateStatus?.state;
  return s === 'updating' || s === 'rollback_started';
}

/** What about a node decides which global tasks it gets. */
function placementFacts(n: Node): string {
  return JSON.stringify([n.status.state, n.status.addr, n.spec.availability, n.spec.membership, n.spec.labels, n.role, n.description]);
}

/**
 * Runs one task of every global service on every node that fits it (SwarmKit's global
 * orchestrator, leader only). Tasks are created pre-assigned (`nodeId` set) on nodes that are
 * ready or not yet known, active, accepted and match the service's placement constraints. A node
 * that is drained, goes down, is removed or stops matching has its tasks shut down (desired
 * `shutdown`); a paused node keeps its tasks but gets no new ones (a task that ends there is not
 * replaced). A task that ends on a node that still fits is restarted through the
 * {@link RestartSupervisor}. When a service's spec changes, its tasks go to the {@link Updater}
 * with each node as a slot; when a node comes back (or is reactivated) with a task of an older
 * spec, that task is replaced at once, unless a rolling update of the service is in progress.
 *
 * @public
 */
export class GlobalOrchestrator extends ServiceLoop {
  private readonly updater: Updater;
  private readonly services = new Map<string, Service>();
  private readonly dirtyServices = new Set<string>();
  private readonly dirtyNodes = new Set<string>();
  private readonly restartTasks = new Set<string>();
  private readonly handed = new Map<string, number>();
  private plan: Plan | undefined;

  constructor(options: GlobalOrchestratorOptions) {
    super('global orchestrator', options);
    this.updater = options.updater ?? NOOP_UPDATER;
  }

  protected load(tx: ReadTx): void {
    this.services.clear();
    this.dirtyServices.clear();
    this.dirtyNodes.clear();
    this.restartTasks.clear();
    this.handed.clear();
    this.plan = undefined;
    for (const s of tx.services.all()) {
      if (!isGlobal(s)) continue;
      this.services.set(s.id, s);
      this.dirtyServices.add(s.id);
      for (const t of tx.tasks.find({ serviceId: s.id })) if (isRunnable(t) && hasEnded(t)) this.restartTasks.add(t.id);
    }
  }

  protected onEvent(event: ObjectEvent): void {
    switch (event.kind) {
      case 'service': {
        const s = event.object;
        if (event.type === 'delete') {
          if (!this.services.delete(s.id)) return;
          this.dirtyServices.delete(s.id);
          this.handed.delete(s.id);
          this.ids.forgetPrefix(s.id + '/');
          this.updater.cancel(s.id);
          return;
        }
        if (!isGlobal(s)) return;
        this.services.set(s.id, s);
        if (event.type === 'create' || event.old.specVersion !== s.specVersion || event.old.spec !== s.spec) this.dirtyServices.add(s.id);
        return;
      }
      case 'node':
        if (this.services.size === 0) return;
        if (event.type !== 'update' || placementFacts(event.old) !== placementFacts(event.object)) this.dirtyNodes.add(event.object.id);
        return;
      case 'task': {
        const t = event.object;
        if (!this.services.has(t.serviceId)) return;
        if (event.type === 'delete') {
          if (isRunnable(t) && t.nodeId !== '') this.dirtyNodes.add(t.nodeId);
        } else if (isRunnable(t) && hasEnded(t)) {
          this.restartTasks.add(t.id);
        }
        return;
      }
      default:
        return;
    }
  }

  protected async work(): Promise<boolean> {
    if (this.restartTasks.size > 0) {
      await this.restartSome();
    } else if (this.dirtyNodes.size > 0) {
      await this.reconcileNodes();
    } else if (this.plan !== undefined) {
      await this.advance(this.plan);
    } else {
      const id = takeSome(this.dirtyServices, 1)[0];
      if (id !== undefined) this.plan = this.loop.store.view((tx) => this.makePlan(tx, id));
    }
    return this.restartTasks.size > 0 || this.dirtyNodes.size > 0 || this.plan !== undefined || this.dirtyServices.size > 0;
  }

  private async restartSome(): Promise<void> {
    const ids = takeSome(this.restartTasks, Math.max(1, Math.floor(this.loop.batchSize / 2)));
    try {
      await this.loop.write((tx) => {
        const items: { service: Service; task: Task }[] = [];
        const stop: Task[] = [];
        for (const id of ids) {
          const task = tx.tasks.get(id);
          if (task === undefined || !isRunnable(task)) continue;
          const service = tx.services.get(task.serviceId);
          if (!isGlobal(service)) continue;
          const node = tx.nodes.get(task.nodeId);
          if (node === undefined || isInvalidNode(node) || !nodeMatches(service, node) || !acceptsNewTasks(node)) stop.push(task);
          else if (hasEnded(task)) items.push({ service, task });
        }
        this.restarts.restartAll(tx, items);
        for (const t of stop) shutdown(tx, t);
      });
    } catch (err) {
      for (const id of ids) this.restartTasks.add(id);
      throw err;
    }
  }

  /** Brings a batch of nodes in line with every global service, in one transaction. */
  private async reconcileNodes(): Promise<void> {
    const perNode = Math.max(1, Math.floor(this.loop.batchSize / Math.max(1, 2 * this.services.size)));
    const nodeIds = takeSome(this.dirtyNodes, perNode);
    const now = this.loop.clock.now();
    const keys: string[] = [];
    try {
      await this.loop.write((tx) => {
        // Every read before the first write: a find after staged writes scans them all.
        const changes = nodeIds.flatMap((nodeId) => this.reconcileNode(tx, nodeId, now));
        for (const c of changes) {
          if (c.create !== undefined) {
            keys.push(c.create.key);
            tx.tasks.create(newTask(c.create.service, { id: this.ids.idFor(c.create.key), now, nodeId: c.create.nodeId }));
          }
          for (const t of c.stop) shutdown(tx, t);
        }
      });
    } catch (err) {
      for (const id of nodeIds) this.dirtyNodes.add(id);
      throw err;
    }
    this.ids.confirm(keys);
  }

  /** What one node needs for every global service (read only). */
  private reconcileNode(tx: ReadTx, nodeId: string, now: number): NodeChange[] {
    const node = tx.nodes.get(nodeId);
    const byService = new Map<string, Task[]>();
    for (const t of tx.tasks.find({ nodeId })) {
      if (!this.services.has(t.serviceId)) continue;
      const list = byService.get(t.serviceId);
      if (list === undefined) byService.set(t.serviceId, [t]);
      else list.push(t);
    }
    const out: NodeChange[] = [];
    for (const id of this.services.keys()) {
      const service = tx.services.get(id);
      if (!isGlobal(service)) continue;
      const tasks = byService.get(id) ?? [];
      const runnable = tasks.filter(isRunnable);
      if (node === undefined || isInvalidNode(node) || !nodeMatches(service, node)) {
        if (runnable.length > 0) out.push({ stop: runnable });
        continue;
      }
      if (!acceptsNewTasks(node)) continue;
      const key = `${id}/${nodeId}`;
      if (coveringTasks(service, tasks, now).length === 0) {
        out.push({ create: { service, nodeId, key }, stop: [] });
        continue;
      }
      if (updating(service)) continue;
      const dirty = runnable.filter((t) => isTaskDirty(service, t, node));
      const clean = runnable.filter((t) => !dirty.includes(t));
      if (dirty.length === 0 && clean.length <= 1) continue;
      out.push({ ...(clean.length === 0 ? { create: { service, nodeId, key } } : {}), stop: [...dirty, ...clean.slice(1)] });
    }
    return out;
  }

  private makePlan(tx: ReadTx, id: string): Plan | undefined {
    const service = tx.services.get(id);
    if (!isGlobal(service)) return undefined;
    const now = this.loop.clock.now();
    const byNode = new Map<string, Task[]>();
    for (const t of tx.tasks.find({ serviceId: id })) {
      const list = byNode.get(t.nodeId);
      if (list === undefined) byNode.set(t.nodeId, [t]);
      else list.push(t);
    }
    const creates: string[] = [];
    const shutdowns: string[] = [];
    const slots: (readonly Task[])[] = [];
    for (const node of tx.nodes.all()) {
      const tasks = byNode.get(node.id) ?? [];
      byNode.delete(node.id);
      if (isInvalidNode(node) || !nodeMatches(service, node)) {
        for (const t of tasks) if (isRunnable(t)) shutdowns.push(t.id);
        continue;
      }
      if (node.spec.availability === 'pause') continue;
      const covering = coveringTasks(service, tasks, now);
      if (covering.length > 0) slots.push(covering);
      else if (acceptsNewTasks(node)) creates.push(node.id);
    }
    for (const tasks of byNode.values()) for (const t of tasks) if (isRunnable(t)) shutdowns.push(t.id);
    return { service, creates, shutdowns, slots, created: 0, shut: 0 };
  }

  private async advance(plan: Plan): Promise<void> {
    const id = plan.service.id;
    if (this.dirtyServices.has(id) || !this.services.has(id)) {
      this.plan = undefined;
      return;
    }
    let stale = false;
    if (plan.created < plan.creates.length) {
      const nodeIds = plan.creates.slice(plan.created, plan.created + this.loop.batchSize);
      const keys = nodeIds.map((n) => `${id}/${n}`);
      const now = this.loop.clock.now();
      await this.loop.write((tx) => {
        const service = tx.services.get(id);
        if (service === undefined || service.specVersion !== plan.service.specVersion) {
          stale = true;
          return;
        }
        // Every read before the first write: a find after staged writes scans them all.
        const wanted = nodeIds.map((nodeId) => {
          const node = tx.nodes.get(nodeId);
          if (node === undefined || !acceptsNewTasks(node) || !nodeMatches(service, node)) return false;
          return coveringTasks(service, tx.tasks.find({ serviceId: id, nodeId }), now).length === 0;
        });
        nodeIds.forEach((nodeId, i) => {
          if (wanted[i] === true) tx.tasks.create(newTask(service, { id: this.ids.idFor(keys[i] as string), now, nodeId }));
        });
      });
      this.ids.confirm(keys);
      plan.created += nodeIds.length;
    } else if (plan.shut < plan.shutdowns.length) {
      const ids = plan.shutdowns.slice(plan.shut, plan.shut + this.loop.batchSize);
      await this.loop.write((tx) => {
        for (const taskId of ids) {
          const t = tx.tasks.get(taskId);
          if (t !== undefined) shutdown(tx, t);
        }
      });
      plan.shut += ids.length;
    }
    if (stale) {
      this.plan = undefined;
      if (this.services.has(id)) this.dirtyServices.add(id);
      return;
    }
    if (plan.created < plan.creates.length || plan.shut < plan.shutdowns.length) return;
    this.plan = undefined;
    if (this.handed.get(id) !== plan.service.specVersion) {
      this.handed.set(id, plan.service.specVersion);
      this.updater.update(plan.service, plan.slots);
    }
  }
}

function shutdown(tx: WriteTx, t: Task): void {
  if (!isRunnable(t)) return;
  tx.tasks.update(t.id, (d) => {
    d.desiredState = 'shutdown';
  });
}
