import type { Subscription } from 'rxjs';
import { matchesConstraints, nodeFacts, parseConstraints, taskStateOrder } from '../../../src/api/index.js';
import type { Node, Task, TaskState } from '../../../src/api/index.js';
import type { VirtualClock } from '../../../src/runtime/index.js';
import type { Store, WriteTx } from '../../../src/store/index.js';

/** How a running task ends: after `runFor` ms, in state `exit`; or never. */
export type TaskFate = { readonly runFor: number; readonly exit: 'complete' | 'failed' | 'rejected' } | 'forever';

export interface FakeClusterOptions {
  readonly store: Store;
  readonly clock: VirtualClock;
  /** From assignment to running (default 100 ms). */
  readonly startLatency?: number;
  /** How each task ends once running (default: services run forever, job tasks complete after 1 s). */
  readonly fate?: (task: Task) => TaskFate;
}

const order = (s: TaskState): number => taskStateOrder(s);

/**
 * A tiny allocator + scheduler + agents for orchestrator tests: new tasks become pending, pending
 * tasks are assigned to the ready, active node (matching constraints) with the fewest tasks of
 * their service, assigned tasks are prepared and, once wanted running, start after
 * `startLatency` and end as `fate` says. Tasks asked to stop stop. Agents of down nodes do
 * nothing. Every change goes out in one transaction per round.
 */
export class FakeCluster {
  private sub: Subscription | undefined;
  private readonly dirty = new Set<string>();
  private flushing = false;
  private readonly timers = new Set<string>();
  /** Tasks whose start timer or exit timer fired, with the state they move to. */
  private readonly due = new Map<string, TaskState>();

  constructor(private readonly o: FakeClusterOptions) {}

  start(): void {
    const { result, events } = this.o.store.viewAndWatch((tx) => tx.tasks.all().map((t) => t.id), { kind: ['task', 'node'] });
    for (const id of result) this.dirty.add(id);
    this.sub = events.subscribe((ev) => {
      if (ev.type === 'commit') return void this.flush();
      if (ev.kind === 'task' && ev.type !== 'delete') this.dirty.add(ev.object.id);
      if (ev.kind === 'node') for (const t of this.o.store.view((tx) => tx.tasks.find({ nodeId: ev.object.id }))) this.dirty.add(t.id);
      if (ev.kind === 'node') for (const t of this.o.store.view((tx) => tx.tasks.find({ state: 'pending' }))) this.dirty.add(t.id);
    });
    void this.flush();
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private async flush(): Promise<void> {
    if (this.flushing || (this.dirty.size === 0 && this.due.size === 0)) return;
    this.flushing = true;
    const ids = [...this.dirty];
    this.dirty.clear();
    const due = new Map(this.due);
    this.due.clear();
    try {
      await this.o.store.update((tx) => {
        for (const [id, state] of due) this.apply(tx, id, state);
        for (const id of ids) this.step(tx, id);
      });
    } finally {
      this.flushing = false;
    }
    if (this.dirty.size > 0 || this.due.size > 0) void this.flush();
  }

  private set(tx: WriteTx, t: Task, state: TaskState, nodeId?: string): void {
    const now = this.o.clock.now();
    tx.tasks.update(t.id, (d) => {
      d.status = { state, timestamp: now, message: state };
      if (nodeId !== undefined) d.nodeId = nodeId;
    });
  }

  private apply(tx: WriteTx, id: string, state: TaskState): void {
    const t = tx.tasks.get(id);
    if (t === undefined || order(t.status.state) >= order(state) || !this.nodeUp(tx, t)) return;
    if (state === 'running' && (t.status.state !== 'ready' || !this.wantsRun(t))) return;
    if (state !== 'running' && t.status.state !== 'running') return;
    this.set(tx, t, state);
    if (state === 'running') this.scheduleExit(t);
  }

  private wantsRun(t: Task): boolean {
    return t.desiredState === 'running' || t.desiredState === 'complete';
  }

  private nodeUp(tx: WriteTx, t: Task): boolean {
    const n = t.nodeId === '' ? undefined : tx.nodes.get(t.nodeId);
    return n !== undefined && n.status.state !== 'down';
  }

  private step(tx: WriteTx, id: string): void {
    const t = tx.tasks.get(id);
    if (t === undefined) return;
    const s = t.status.state;
    if (order(t.desiredState) >= order('shutdown')) {
      if (order(s) >= order('assigned') && order(s) <= order('running') && this.nodeUp(tx, t)) this.set(tx, t, 'shutdown');
      return;
    }
    if (s === 'new') return this.set(tx, t, 'pending');
    if (s === 'pending') {
      const node = t.nodeId !== '' ? tx.nodes.get(t.nodeId) : this.pick(tx, t);
      if (node !== undefined && node.status.state === 'ready' && node.spec.availability !== 'drain') this.set(tx, t, 'assigned', node.id);
      return;
    }
    if (s === 'assigned' && this.nodeUp(tx, t)) return this.set(tx, t, 'ready');
    if (s === 'ready' && this.wantsRun(t) && this.nodeUp(tx, t) && !this.timers.has(`start:${id}`)) {
      this.timers.add(`start:${id}`);
      this.o.clock.setTimeout(() => {
        this.timers.delete(`start:${id}`);
        this.due.set(id, 'running');
        void this.flush();
      }, this.o.startLatency ?? 100);
    }
  }

  private scheduleExit(t: Task): void {
    const fate = this.o.fate?.(t) ?? (t.desiredState === 'complete' ? { runFor: 1000, exit: 'complete' as const } : 'forever');
    if (fate === 'forever') return;
    this.o.clock.setTimeout(() => {
      this.due.set(t.id, fate.exit);
      void this.flush();
    }, fate.runFor);
  }

  private pick(tx: WriteTx, t: Task): Node | undefined {
    const constraints = parseConstraints(t.spec.placement?.constraints ?? []);
    let best: Node | undefined;
    let bestCount = Infinity;
    for (const n of [...tx.nodes.all()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (n.status.state !== 'ready' || n.spec.availability !== 'active' || !matchesConstraints(constraints, nodeFacts(n))) continue;
      const count = tx.tasks.find({ nodeId: n.id }).filter((o) => o.serviceId === t.serviceId && order(o.desiredState) <= order('running')).length;
      if (count < bestCount) {
        best = n;
        bestCount = count;
      }
    }
    return best;
  }
}
