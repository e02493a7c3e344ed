import type { GenericResource, Labels, Node, NodeAvailability, NodeStatusState, Placement, PortConfig, Task, TaskState } from '../../src/api/index.js';
import { flushMicrotasks, VirtualClock } from '../../src/runtime/index.js';
import { Scheduler } from '../../src/scheduler/index.js';
import { Store, type NewObject } from '../../src/store/index.js';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const CPU = 1e9;

export interface NodeOptions {
  labels?: Labels;
  engineLabels?: Labels;
  availability?: NodeAvailability;
  state?: NodeStatusState;
  nanoCpus?: number;
  memoryBytes?: number;
  generic?: GenericResource[];
  os?: string;
  arch?: string;
  role?: 'manager' | 'worker';
  described?: boolean;
}

/** A node as the store would create it (no meta). */
export function newNode(id: string, o: NodeOptions = {}): NewObject<'node'> {
  const role = o.role ?? 'worker';
  return {
    id,
    spec: { role, membership: 'accepted', availability: o.availability ?? 'active', ...(o.labels ? { labels: o.labels } : {}) },
    role,
    ...(o.described === false
      ? {}
      : {
          description: {
            hostname: `host-${id}`,
            platform: { os: o.os ?? 'linux', architecture: o.arch ?? 'x86_64' },
            resources: { nanoCpus: o.nanoCpus ?? 4 * CPU, memoryBytes: o.memoryBytes ?? 8 * GiB, ...(o.generic ? { generic: o.generic } : {}) },
            engine: { version: '27.0.0', ...(o.engineLabels ? { labels: o.engineLabels } : {}) },
          },
        }),
    status: { state: o.state ?? 'ready', addr: '10.0.0.1' },
  };
}

/** A full node object for the pure planner. */
export function node(id: string, o: NodeOptions = {}): Node {
  return { ...newNode(id, o), meta: { version: 1, createdAt: 0, updatedAt: 0 } } as Node;
}

export interface TaskOptions {
  slot?: number;
  nodeId?: string;
  state?: TaskState;
  desired?: TaskState;
  specVersion?: number;
  nanoCpus?: number;
  memoryBytes?: number;
  generic?: GenericResource[];
  placement?: Placement;
  ports?: PortConfig[];
  err?: string;
}

/** A task as the store would create it (no meta); pending and unassigned by default. */
export function newTask(id: string, serviceId: string, o: TaskOptions = {}): NewObject<'task'> {
  const reservations =
    o.nanoCpus !== undefined || o.memoryBytes !== undefined || o.generic !== undefined
      ? { reservations: { ...(o.nanoCpus ? { nanoCpus: o.nanoCpus } : {}), ...(o.memoryBytes ? { memoryBytes: o.memoryBytes } : {}), ...(o.generic ? { generic: o.generic } : {}) } }
      : undefined;
  return {
    id,
    serviceId,
    serviceName: serviceId,
    slot: o.slot ?? 1,
    nodeId: o.nodeId ?? '',
    spec: {
      container: { image: 'nginx:1.27' },
      ...(reservations ? { resources: reservations } : {}),
      ...(o.placement ? { placement: o.placement } : {}),
    },
    specVersion: o.specVersion ?? 1,
    status: { state: o.state ?? 'pending', timestamp: 0, message: 'pending task scheduling', ...(o.err ? { err: o.err } : {}) },
    desiredState: o.desired ?? 'running',
    ...(o.ports ? { endpoint: { spec: { ports: o.ports } } } : {}),
  };
}

/** A full task object for the pure planner. */
export function task(id: string, serviceId: string, o: TaskOptions = {}): Task {
  return { ...newTask(id, serviceId, o), meta: { version: 1, createdAt: 0, updatedAt: 0 } } as Task;
}

/** `n` pending tasks of one service, ids `<prefix>-1`..`<prefix>-n`, slots 1..n. */
export function tasks(n: number, serviceId: string, o: TaskOptions = {}, prefix = serviceId): Task[] {
  return Array.from({ length: n }, (_, i) => task(`${prefix}-${i + 1}`, serviceId, { ...o, slot: i + 1 }));
}

/** A task already running on a node. */
export function running(id: string, serviceId: string, nodeId: string, o: TaskOptions = {}): Task {
  return task(id, serviceId, { ...o, nodeId, state: 'running' });
}

/** Counts placements per node id. */
export function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

/** A store on a virtual clock, with a helper to run writes. */
export function newStore(): { store: Store; clock: VirtualClock } {
  const clock = new VirtualClock({ start: 1_000_000 });
  return { store: new Store({ clock }), clock };
}

/** Lets watch deliveries and pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await flushMicrotasks();
}

export function taskIn(store: Store, id: string): Task {
  const t = store.view((tx) => tx.tasks.get(id));
  if (t === undefined) throw new Error(`no task ${id}`);
  return t;
}

/** Creates nodes and tasks in one transaction. */
export async function seed(store: Store, nodes: readonly NewObject<'node'>[], tasks: readonly NewObject<'task'>[] = []): Promise<void> {
  await store.update((tx) => {
    for (const n of nodes) tx.nodes.create(n);
    for (const t of tasks) tx.tasks.create(t);
  });
}

/** Records the task events and commit markers a store delivers from now on. */
export function recordTasks(store: Store): { updates: Task[]; commits: number[]; stop(): void } {
  const out = { updates: [] as Task[], commits: [] as number[], stop: () => sub.unsubscribe() };
  const sub = store.watch({ kind: 'task' }).subscribe((e) => {
    if (e.type === 'commit') out.commits.push(e.index);
    else if (e.type === 'update') out.updates.push(e.object);
  });
  return out;
}

const started: Scheduler[] = [];

/** Starts a scheduler that {@link stopStartedSchedulers} stops (call that in `afterEach`). */
export function startScheduler(options: ConstructorParameters<typeof Scheduler>[0]): Scheduler {
  const s = new Scheduler(options);
  s.start();
  started.push(s);
  return s;
}

/** Stops every scheduler {@link startScheduler} started. */
export async function stopStartedSchedulers(): Promise<void> {
  for (const s of started.splice(0)) await s.stop();
}

/** A store seeded with `nodes` and `tasks`, and a started scheduler that has made its first pass. */
export async function setupScheduler(nodes: Parameters<typeof seed>[1], tasks: Parameters<typeof seed>[2]): Promise<{ store: Store; clock: VirtualClock; scheduler: Scheduler }> {
  const { store, clock } = newStore();
  await seed(store, nodes, tasks);
  const scheduler = startScheduler({ store, clock });
  await settle();
  return { store, clock, scheduler };
}
