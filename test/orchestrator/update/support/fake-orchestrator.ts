import type { Subscription } from 'rxjs';
import { serviceModeKind, taskStateOrder } from '../../../../src/api/index.js';
import type { Service, Task } from '../../../../src/api/index.js';
import type { Clock, Random } from '../../../../src/runtime/index.js';
import type { Store, WriteTx } from '../../../../src/store/index.js';
import { newTask } from '../../../../src/orchestrator/common/index.js';
import type { UpdateSupervisor } from '../../../../src/orchestrator/update/index.js';

const RUNNING = taskStateOrder('running');

function runnable(t: Task): boolean {
  return taskStateOrder(t.desiredState) <= RUNNING;
}

/** The runnable tasks of a service grouped into slots (by slot number, or by node for global services). */
export function runnableSlots(service: Service, tasks: readonly Task[]): Task[][] {
  const global = serviceModeKind(service.spec) === 'global';
  const slots = new Map<string | number, Task[]>();
  for (const t of tasks) {
    if (!runnable(t)) continue;
    const key = global ? t.nodeId : t.slot;
    const slot = slots.get(key);
    if (slot === undefined) slots.set(key, [t]);
    else slot.push(t);
  }
  return [...slots.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
}

/**
 * A minimal orchestrator for driving the update supervisor in tests (not the real one): it keeps
 * a replicated service at its replica count (and a global one at one task per active node),
 * replaces a task that ended while meant to run with a new task in the same slot (made from the
 * current spec, as SwarmKit's restart supervisor does), fills slots left without a runnable task
 * (e.g. after the constraint enforcer rejected their task), and calls `updates.update` with the
 * runnable slots whenever a service's spec version changes.
 */
export class FakeOrchestrator {
  private subscription: Subscription | undefined;
  private readonly dirty = new Set<string>();
  readonly updateCalls: { serviceId: string; specVersion: number; slots: number }[] = [];
  /** Ids of the tasks this orchestrator created (first tasks, restarts, refills). */
  readonly created = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly updates: UpdateSupervisor,
  ) {}

  start(): void {
    this.subscription = this.store.watch<'service' | 'task'>({ kind: ['service', 'task'] }).subscribe((ev) => {
      if (ev.type === 'commit') return this.flush();
      if (ev.kind === 'service') {
        if (ev.type === 'delete') return this.updates.cancel(ev.object.id);
        this.dirty.add(ev.object.id);
        if (ev.type === 'update' && ev.old.specVersion !== ev.object.specVersion) this.callUpdate(ev.object.id);
        return;
      }
      // A task that ended (failed, or rejected by the constraint enforcer): replace it.
      if (ev.type !== 'delete' && taskStateOrder(ev.object.status.state) > RUNNING) this.dirty.add(ev.object.serviceId);
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  private callUpdate(serviceId: string): void {
    const found = this.store.view((tx) => {
      const service = tx.services.get(serviceId);
      return service === undefined ? undefined : { service, slots: runnableSlots(service, tx.tasks.find({ serviceId })) };
    });
    if (found === undefined) return;
    this.updateCalls.push({ serviceId, specVersion: found.service.specVersion, slots: found.slots.length });
    this.updates.update(found.service, found.slots);
  }

  private flush(): void {
    if (this.dirty.size === 0) return;
    const ids = [...this.dirty];
    this.dirty.clear();
    void this.store.update((tx) => {
      for (const id of ids) this.reconcile(tx, id);
    });
  }

  private reconcile(tx: WriteTx, serviceId: string): void {
    const service = tx.services.get(serviceId);
    if (service === undefined) return;
    const tasks = tx.tasks.find({ serviceId });
    const now = this.clock.now();
    const make = (slot: number, nodeId?: string): void => {
      const id = this.random.id();
      this.created.add(id);
      tx.tasks.create(newTask(service, { id, now, slot, ...(nodeId !== undefined ? { nodeId } : {}) }));
    };
    // Restarts: a task that ended while meant to run is shut down and replaced in its slot.
    for (const t of tasks) {
      if (!runnable(t) || taskStateOrder(t.status.state) <= RUNNING) continue;
      tx.tasks.update(t.id, (d) => {
        d.desiredState = 'shutdown';
      });
      const others = tx.tasks.find(serviceModeKind(service.spec) === 'global' ? { serviceId, nodeId: t.nodeId } : { serviceId, slot: t.slot });
      if (!others.some((o) => o.id !== t.id && runnable(o))) make(t.slot, serviceModeKind(service.spec) === 'global' ? t.nodeId : undefined);
    }
    const live = tx.tasks.find({ serviceId }).filter(runnable);
    if (serviceModeKind(service.spec) === 'global') {
      const covered = new Set(live.map((t) => t.nodeId));
      for (const n of tx.nodes.all()) if (n.spec.availability === 'active' && !covered.has(n.id)) make(0, n.id);
      return;
    }
    const mode = service.spec.mode;
    const replicas = mode !== undefined && 'replicated' in mode ? (mode.replicated.replicas ?? 1) : 1;
    const used = new Set(live.map((t) => t.slot));
    for (let slot = 1; used.size < replicas; slot++) {
      if (used.has(slot)) continue;
      used.add(slot);
      make(slot);
    }
  }
}
