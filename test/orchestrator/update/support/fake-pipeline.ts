import { matchesConstraints, nodeFacts, parseConstraints, taskStateOrder } from '../../../../src/api/index.js';
import type { Labels, Node, Resources, Task, TaskState } from '../../../../src/api/index.js';
import { every, type Clock } from '../../../../src/runtime/index.js';
import type { NewObject, Store, WriteTx } from '../../../../src/store/index.js';

/** What the fake agent does with a task when it reaches a step. */
export type Outcome = 'ok' | 'reject' | 'fail-on-start' | { readonly crashAfterMs: number };

/** Decides a task's fate (e.g. by image or node). */
export type Behaviour = (task: Task, node: Node) => Outcome;

const RUNNING = taskStateOrder('running');
const ASSIGNED = taskStateOrder('assigned');

/** The states the agent walks, one per tick. */
const NEXT: Partial<Record<TaskState, TaskState>> = {
  assigned: 'accepted',
  accepted: 'preparing',
  preparing: 'ready',
  ready: 'starting',
  starting: 'running',
};

export function fakeNode(id: string, labels: Labels = {}, resources: Resources = { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 }): NewObject<'node'> {
  return {
    id,
    spec: { role: 'worker', membership: 'accepted', availability: 'active', labels },
    role: 'worker',
    description: { hostname: id, platform: { os: 'linux', architecture: 'x86_64' }, resources, engine: { version: '27.0.0' } },
    status: { state: 'ready', addr: '10.0.0.1' },
  };
}

/**
 * Stands in for the allocator, the scheduler and every node's agent: once per tick it moves every
 * task one step along its lifecycle, in one store transaction.
 *
 * - new -> pending; pending -> assigned on the active, ready node that matches the task's
 *   constraints and holds the fewest live tasks (global tasks keep their preset node);
 * - the agent walks assigned -> accepted -> preparing -> ready, and on to starting -> running
 *   only when the desired state is running (a stop-first replacement waits at ready);
 * - a task with desired state after running that is on a node is shut down (state shutdown);
 * - the behaviour can reject a task while preparing, fail it while starting, or crash it a
 *   while after it started running. Tasks on down nodes do not move.
 */
export class FakePipeline {
  private stopTicking: (() => void) | undefined;
  private readonly tickMs: number;
  /** Replaceable mid-test (e.g. to make the old image fail during a rollback). */
  behaviour: Behaviour;
  /** Nodes whose agent is hung: their tasks do not move (the node still looks ready). */
  readonly frozen = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    options: { readonly behaviour?: Behaviour; readonly tickMs?: number } = {},
  ) {
    this.behaviour = options.behaviour ?? (() => 'ok');
    this.tickMs = options.tickMs ?? 100;
  }

  start(): void {
    this.stopTicking ??= every(this.clock, this.tickMs, () => this.step());
  }

  stop(): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
  }

  /** Moves every task one step. */
  step(): void {
    void this.store.update((tx) => {
      const tasks = [...tx.tasks.all()].sort((a, b) => a.meta.createdAt - b.meta.createdAt || (a.id < b.id ? -1 : 1));
      const load = new Map<string, number>();
      for (const t of tasks) if (isLive(t)) load.set(t.nodeId, (load.get(t.nodeId) ?? 0) + 1);
      for (const t of tasks) this.advance(tx, t, load);
    });
  }

  private advance(tx: WriteTx, t: Task, load: Map<string, number>): void {
    const now = this.clock.now();
    const state = t.status.state;
    const set = (next: TaskState, extra: { nodeId?: string } = {}): void => {
      tx.tasks.update(t.id, (d) => {
        d.status = { state: next, timestamp: now, message: next };
        if (extra.nodeId !== undefined) d.nodeId = extra.nodeId;
      });
    };
    if (taskStateOrder(state) > RUNNING || this.frozen.has(t.nodeId)) return;
    const node = t.nodeId === '' ? undefined : tx.nodes.get(t.nodeId);
    if (taskStateOrder(t.desiredState) > RUNNING) {
      if (taskStateOrder(state) >= ASSIGNED && node?.status.state !== 'down') set('shutdown');
      return;
    }
    if (state === 'new') return set('pending');
    if (state === 'pending') {
      const target = t.nodeId !== '' ? node : this.pick(tx, t, load);
      if (target === undefined || target.status.state !== 'ready') return;
      load.set(target.id, (load.get(target.id) ?? 0) + 1);
      return set('assigned', { nodeId: target.id });
    }
    if (node === undefined || node.status.state === 'down') return;
    const outcome = this.behaviour(t, node);
    if (state === 'preparing' && outcome === 'reject') return set('rejected');
    if (state === 'starting' && outcome === 'fail-on-start') return set('failed');
    if (state === 'ready' && t.desiredState !== 'running') return;
    if (state === 'running') {
      if (typeof outcome === 'object' && now - t.status.timestamp >= outcome.crashAfterMs) set('failed');
      return;
    }
    const next = NEXT[state];
    if (next !== undefined) set(next);
  }

  private pick(tx: WriteTx, t: Task, load: Map<string, number>): Node | undefined {
    const expressions = t.spec.placement?.constraints ?? [];
    const constraints = expressions.length === 0 ? [] : parseConstraints(expressions);
    let best: Node | undefined;
    for (const n of [...tx.nodes.all()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (n.spec.availability !== 'active' || n.status.state !== 'ready') continue;
      if (!matchesConstraints(constraints, nodeFacts(n))) continue;
      if (best === undefined || (load.get(n.id) ?? 0) < (load.get(best.id) ?? 0)) best = n;
    }
    return best;
  }
}

/** A task placed on a node and not ended, meant to run. */
export function isLive(t: Task): boolean {
  const s = taskStateOrder(t.status.state);
  return t.nodeId !== '' && s >= ASSIGNED && s <= RUNNING && taskStateOrder(t.desiredState) <= RUNNING;
}
