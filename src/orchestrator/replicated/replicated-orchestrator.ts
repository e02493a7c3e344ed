import { DEFAULT_REPLICAS, serviceModeKind } from '../../api/index.js';
import type { Node, Service, Task } from '../../api/index.js';
import type { ObjectEvent, ReadTx } from '../../store/index.js';
import { isInvalidNode, newTask } from '../common/index.js';
import { ServiceLoop, type ServiceLoopOptions } from '../support/service-loop.js';
import { coveringTasks } from '../support/placement.js';
import { takeSome } from '../support/store-loop.js';
import { byNewest, hasEnded, isRunnable } from '../support/tasks.js';
import { NOOP_UPDATER, type Updater } from '../updater.js';
import { chooseSlotsToRemove, type ScaleDownCandidate } from './scale-down.js';

/** Options of {@link ReplicatedOrchestrator}. @public */
export interface ReplicatedOrchestratorOptions extends ServiceLoopOptions {
  /** Receives each service's runnable slots when its spec changes (default: none). */
  readonly updater?: Updater;
}

/** A reconciliation in progress: what one service needs, written a batch at a time. */
interface Plan {
  readonly service: Service;
  readonly creates: readonly number[];
  readonly removes: readonly string[];
  /** The runnable slots that stay, for the updater. */
  readonly kept: readonly (readonly Task[])[];
  created: number;
  removed: number;
}

function replicasOf(service: Service): number {
  const mode = service.spec.mode;
  return mode !== undefined && 'replicated' in mode ? (mode.replicated.replicas ?? DEFAULT_REPLICAS) : DEFAULT_REPLICAS;
}

function isReplicated(service: Service | undefined): service is Service {
  return service !== undefined && serviceModeKind(service.spec) === 'replicated';
}

/**
 * Keeps every replicated service at its replica count (SwarmKit's replicated orchestrator,
 * leader only).
 *
 * - A slot is runnable while one of its tasks has desired state `running` or earlier. Short of
 *   `replicas` runnable slots, new tasks fill the lowest free slot numbers from 1; past it, the
 *   slots to remove are chosen by `chooseSlotsToRemove` (balanced across spread preferences and
 *   nodes, not-running tasks first) and their tasks get desired `remove`.
 * - A task that ended while still wanted, or whose node went down, was drained or removed, is
 *   restarted in its slot through the {@link RestartSupervisor}.
 * - After reconciling a service whose spec version changed (and every service once at start), its
 *   runnable slots go to the {@link Updater}, which replaces the dirty ones.
 *
 * Reconciliation runs on service events (create, spec change), on deletion of a runnable task,
 * and at start; restarts run on task and node events. A slot whose task stopped without a
 * replacement (restart condition `none`, attempts exhausted) is refilled only at the next
 * reconciliation, as in SwarmKit. Writes go out in batches of `batchSize` (creating a million
 * replicas takes a thousand transactions); deleting a service is the task reaper's business.
 *
 * @public
 */
export class ReplicatedOrchestrator extends ServiceLoop {
  private readonly updater: Updater;
  private readonly services = new Map<string, Service>();
  private readonly nodes = new Map<string, Node>();
  private readonly dirtyServices = new Set<string>();
  private readonly dirtyNodes = new Set<string>();
  private readonly restartTasks = new Set<string>();
  /** The spec version each service was last handed to the updater at. */
  private readonly handed = new Map<string, number>();
  private plan: Plan | undefined;

  constructor(options: ReplicatedOrchestratorOptions) {
    super('replicated orchestrator', options);
    this.updater = options.updater ?? NOOP_UPDATER;
  }

  protected load(tx: ReadTx): void {
    this.services.clear();
    this.nodes.clear();
    this.dirtyServices.clear();
    this.dirtyNodes.clear();
    this.restartTasks.clear();
    this.handed.clear();
    this.plan = undefined;
    for (const n of tx.nodes.all()) this.nodes.set(n.id, n);
    for (const s of tx.services.all()) {
      if (!isReplicated(s)) continue;
      this.services.set(s.id, s);
      this.dirtyServices.add(s.id);
      for (const t of tx.tasks.find({ serviceId: s.id })) this.checkTask(t);
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
        if (!isReplicated(s)) return;
        this.services.set(s.id, s);
        if (event.type === 'create' || event.old.specVersion !== s.specVersion || event.old.spec !== s.spec) this.dirtyServices.add(s.id);
        return;
      }
      case 'node': {
        const n = event.object;
        if (event.type === 'delete') {
          this.nodes.delete(n.id);
          this.dirtyNodes.add(n.id);
          return;
        }
        this.nodes.set(n.id, n);
        if (isInvalidNode(n) && (event.type === 'create' || !isInvalidNode(event.old))) this.dirtyNodes.add(n.id);
        return;
      }
      case 'task': {
        if (event.type === 'delete') {
          if (isRunnable(event.object) && this.services.has(event.object.serviceId)) this.dirtyServices.add(event.object.serviceId);
          return;
        }
        if (this.services.has(event.object.serviceId)) this.checkTask(event.object);
        return;
      }
      default:
        return;
    }
  }

  /** Queues `t` for a restart when it ended while wanted, or sits on a failed node. */
  private checkTask(t: Task): void {
    if (!isRunnable(t)) return;
    if (hasEnded(t) || (t.nodeId !== '' && isInvalidNode(this.nodes.get(t.nodeId)))) this.restartTasks.add(t.id);
  }

  protected async work(): Promise<boolean> {
    if (this.dirtyNodes.size > 0) this.collectNodeTasks();
    if (this.restartTasks.size > 0) {
      await this.restartSome();
    } else if (this.plan !== undefined) {
      await this.advance(this.plan);
    } else {
      const id = takeSome(this.dirtyServices, 1)[0];
      if (id !== undefined) this.plan = this.loop.store.view((tx) => this.makePlan(tx, id));
    }
    return this.restartTasks.size > 0 || this.plan !== undefined || this.dirtyServices.size > 0 || this.dirtyNodes.size > 0;
  }

  private collectNodeTasks(): void {
    const nodes = [...this.dirtyNodes];
    this.dirtyNodes.clear();
    this.loop.store.view((tx) => {
      for (const id of nodes) for (const t of tx.tasks.find({ nodeId: id })) if (this.services.has(t.serviceId)) this.checkTask(t);
    });
  }

  private async restartSome(): Promise<void> {
    const ids = takeSome(this.restartTasks, Math.max(1, Math.floor(this.loop.batchSize / 2)));
    try {
      await this.loop.write((tx) => {
        const items: { service: Service; task: Task }[] = [];
        for (const id of ids) {
          const task = tx.tasks.get(id);
          if (task === undefined || !isRunnable(task)) continue;
          const service = tx.services.get(task.serviceId);
          if (!isReplicated(service)) continue;
          if (hasEnded(task) || (task.nodeId !== '' && isInvalidNode(tx.nodes.get(task.nodeId)))) items.push({ service, task });
        }
        this.restarts.restartAll(tx, items);
      });
    } catch (err) {
      for (const id of ids) this.restartTasks.add(id);
      throw err;
    }
  }

  private makePlan(tx: ReadTx, id: string): Plan | undefined {
    const service = tx.services.get(id);
    if (!isReplicated(service)) return undefined;
    const replicas = replicasOf(service);
    const bySlot = new Map<number, Task[]>();
    for (const t of tx.tasks.find({ serviceId: id })) {
      const list = bySlot.get(t.slot);
      if (list === undefined) bySlot.set(t.slot, [t]);
      else list.push(t);
    }
    // A slot counts when it has runnable tasks, or when its task finished and its restart policy
    // gives it no replacement (it is done, not empty: the updater replaces it on a spec change).
    const slots = new Map<number, Task[]>();
    const now = this.loop.clock.now();
    for (const [slot, tasks] of bySlot) {
      const covering = coveringTasks(service, tasks, now);
      if (covering.length > 0) slots.set(slot, [...covering]);
    }
    const creates: number[] = [];
    const removes: string[] = [];
    const removedSlots = new Set<number>();
    if (slots.size < replicas) {
      for (let s = 1; creates.length < replicas - slots.size; s++) if (!slots.has(s)) creates.push(s);
    } else if (slots.size > replicas) {
      const candidates: ScaleDownCandidate[] = [];
      for (const [slot, tasks] of slots) {
        const primary = [...tasks].sort(byNewest)[0] as Task;
        candidates.push({ slot, nodeId: primary.nodeId, running: tasks.some((t) => t.status.state === 'running') });
      }
      const preferences = (service.spec.task.placement?.preferences ?? []).map((p) => p.spread);
      for (const slot of chooseSlotsToRemove(candidates, slots.size - replicas, preferences, (nodeId) => tx.nodes.get(nodeId))) {
        removedSlots.add(slot);
        for (const t of slots.get(slot) ?? []) removes.push(t.id);
      }
    }
    const kept = [...slots.entries()]
      .filter(([slot]) => !removedSlots.has(slot))
      .sort((a, b) => a[0] - b[0])
      .map(([, tasks]) => tasks);
    return { service, creates, removes, kept, created: 0, removed: 0 };
  }

  /** Writes the next batch of `plan`; hands the slots to the updater once it is all written. */
  private async advance(plan: Plan): Promise<void> {
    const id = plan.service.id;
    if (this.dirtyServices.has(id) || !this.services.has(id)) {
      this.plan = undefined; // the service changed since: plan again
      return;
    }
    let stale = false;
    if (plan.created < plan.creates.length) {
      const slots = plan.creates.slice(plan.created, plan.created + this.loop.batchSize);
      const keys = slots.map((s) => `${id}/${s}`);
      const now = this.loop.clock.now();
      await this.loop.write((tx) => {
        const service = tx.services.get(id);
        if (service === undefined || service.specVersion !== plan.service.specVersion) {
          stale = true;
          return;
        }
        // Every read before the first write: a find after staged writes scans them all.
        const free = slots.map((slot) => !tx.tasks.find({ serviceId: id, slot }).some(isRunnable));
        slots.forEach((slot, i) => {
          if (free[i] === true) tx.tasks.create(newTask(service, { id: this.ids.idFor(keys[i] as string), now, slot }));
        });
      });
      this.ids.confirm(keys);
      plan.created += slots.length;
    } else if (plan.removed < plan.removes.length) {
      const ids = plan.removes.slice(plan.removed, plan.removed + this.loop.batchSize);
      await this.loop.write((tx) => {
        for (const taskId of ids) {
          const t = tx.tasks.get(taskId);
          // A finished task of a done slot goes too (the reaper deletes it), or the slot would
          // keep counting.
          if (t !== undefined && t.desiredState !== 'remove') {
            tx.tasks.update(taskId, (d) => {
              d.desiredState = 'remove';
            });
          }
        }
      });
      plan.removed += ids.length;
    }
    if (stale) {
      this.plan = undefined;
      if (this.services.has(id)) this.dirtyServices.add(id);
      return;
    }
    if (plan.created < plan.creates.length || plan.removed < plan.removes.length) return;
    this.plan = undefined;
    if (this.handed.get(id) !== plan.service.specVersion) {
      this.handed.set(id, plan.service.specVersion);
      this.updater.update(plan.service, plan.kept);
    }
  }
}
