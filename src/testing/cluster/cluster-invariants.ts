import type { Subscription } from 'rxjs';
import { taskStateOrder, type Node, type Task } from '../../api/index.js';
import { InvalidStateError } from '../../errors/index.js';
import type { Cluster } from '../../cluster/index.js';
import type { StoreEvent } from '../../store/index.js';

/** The invariants {@link ClusterInvariants} checks. @public */
export type ClusterInvariantName = 'task-moves-forward' | 'task-stays-on-its-node' | 'reservations-fit' | 'one-runner-per-slot';

/** A cluster invariant broke. @public */
export class ClusterInvariantError extends InvalidStateError {
  /** Which invariant broke. */
  readonly invariant: ClusterInvariantName;
  /** Simulated time of the violation. */
  readonly at: number;
  constructor(invariant: ClusterInvariantName, detail: string, at: number) {
    super(`cluster invariant ${invariant} broken at ${at}: ${detail}`);
    this.invariant = invariant;
    this.at = at;
  }
}

const RUNNING = taskStateOrder('running');

function reserved(t: Task): { cpu: number; mem: number } {
  const r = t.spec.resources?.reservations;
  return { cpu: r?.nanoCpus ?? 0, mem: r?.memoryBytes ?? 0 };
}

/**
 * Watches a cluster's committed changes and checks, after every transaction, what must always
 * hold: a task's observed state only moves forward; a task never moves to another node once
 * assigned; the reservations of the tasks a node holds (assigned to running) never exceed its
 * resources; no slot of a replicated service has two tasks running the same spec version at
 * once, except while a start-first update overlaps them. Violations are collected (and thrown
 * by {@link ClusterInvariants.assert}) with the simulated time.
 *
 * @example
 * ```ts
 * const inv = ClusterInvariants.watch(cluster);
 * // ... drive the cluster ...
 * inv.assert();
 * ```
 * @public
 */
export class ClusterInvariants {
  /** Every violation seen so far. */
  readonly violations: ClusterInvariantError[] = [];
  private readonly lastState = new Map<string, number>();
  private readonly lastNode = new Map<string, string>();
  private readonly touchedNodes = new Set<string>();
  private subscription: Subscription | undefined;

  private constructor(private readonly cluster: Cluster) {}

  /** Starts checking `cluster` from now on. */
  static watch(cluster: Cluster): ClusterInvariants {
    const inv = new ClusterInvariants(cluster);
    inv.subscription = cluster.watch({ kind: ['task', 'node'] }).subscribe((ev) => inv.onEvent(ev));
    return inv;
  }

  /** Throws the first violation, if any. */
  assert(): void {
    const first = this.violations[0];
    if (first !== undefined) throw first;
  }

  /** Stops checking. */
  stop(): void {
    this.subscription?.unsubscribe();
  }

  private fail(invariant: ClusterInvariantName, detail: string): void {
    if (this.violations.length < 100) this.violations.push(new ClusterInvariantError(invariant, detail, this.cluster.clock.now()));
  }

  private onEvent(ev: StoreEvent<'task' | 'node'>): void {
    if (ev.type === 'commit') {
      for (const nodeId of this.touchedNodes) this.checkNode(nodeId);
      this.touchedNodes.clear();
      return;
    }
    if (ev.kind === 'node') {
      this.touchedNodes.add(ev.object.id);
      return;
    }
    const t = ev.object as Task;
    if (ev.type === 'delete') {
      this.lastState.delete(t.id);
      this.lastNode.delete(t.id);
      if (t.nodeId !== '') this.touchedNodes.add(t.nodeId);
      return;
    }
    const order = taskStateOrder(t.status.state);
    const before = this.lastState.get(t.id);
    if (before !== undefined && order < before) this.fail('task-moves-forward', `task ${t.id} went back to ${t.status.state}`);
    this.lastState.set(t.id, Math.max(order, before ?? order));
    const node = this.lastNode.get(t.id);
    if (node !== undefined && t.nodeId !== node) this.fail('task-stays-on-its-node', `task ${t.id} moved from node ${node} to ${t.nodeId}`);
    if (t.nodeId !== '') {
      this.lastNode.set(t.id, t.nodeId);
      this.touchedNodes.add(t.nodeId);
    }
  }

  private checkNode(nodeId: string): void {
    this.cluster.view((tx) => {
      const node: Node | undefined = tx.nodes.get(nodeId);
      if (node?.description === undefined) return;
      let cpu = 0;
      let mem = 0;
      const runners = new Map<string, number>();
      for (const t of tx.tasks.find({ nodeId })) {
        const state = taskStateOrder(t.status.state);
        if (state > RUNNING || t.status.state === 'new' || t.status.state === 'pending') continue;
        const r = reserved(t);
        cpu += r.cpu;
        mem += r.mem;
        if (t.slot > 0 && t.status.state === 'running' && t.desiredState === 'running') {
          const key = `${t.serviceId}/${t.slot}/${t.specVersion}`;
          runners.set(key, (runners.get(key) ?? 0) + 1);
        }
      }
      const cap = node.description.resources;
      if (cap.nanoCpus !== undefined && cpu > cap.nanoCpus) this.fail('reservations-fit', `node ${nodeId} reserves ${cpu} nano CPUs of ${cap.nanoCpus}`);
      if (cap.memoryBytes !== undefined && mem > cap.memoryBytes) this.fail('reservations-fit', `node ${nodeId} reserves ${mem} bytes of ${cap.memoryBytes}`);
      for (const [key, n] of runners) if (n > 1) this.fail('one-runner-per-slot', `slot ${key} runs ${n} tasks on node ${nodeId}`);
    });
  }
}
