import { validateServiceSpec } from '../../../src/api/index.js';
import type { Labels, Node, NodeSpec, Service, ServiceSpec, Task, TaskState } from '../../../src/api/index.js';
import { Orchestrator, type OrchestratorOptions, type Updater } from '../../../src/orchestrator/index.js';
import { Random, VirtualClock, flushMicrotasks } from '../../../src/runtime/index.js';
import { Store, type NewObject } from '../../../src/store/index.js';
import { FakeUpdater } from './fake-updater.js';

/** Everything a test needs: a store on a virtual clock, a seeded random, an orchestrator. */
export interface Harness {
  readonly clock: VirtualClock;
  readonly store: Store;
  readonly random: Random;
  readonly updater: FakeUpdater;
  orchestrator: Orchestrator;
  /** A new orchestrator on the same store (a leader change), not started. */
  newOrchestrator(): Orchestrator;
}

export function setup(options: { seed?: number; updater?: Updater; orchestrator?: Partial<OrchestratorOptions> } = {}): Harness {
  const clock = new VirtualClock({ start: 1_000_000 });
  const store = new Store({ clock });
  const random = Random.fromSeed(options.seed ?? 1);
  const updater = new FakeUpdater();
  let generation = 0;
  const make = (): Orchestrator =>
    new Orchestrator({ store, clock, random: random.fork(`leader-${generation++}`), updater: options.updater ?? updater, ...options.orchestrator });
  return { clock, store, random, updater, orchestrator: make(), newOrchestrator: make };
}

/** Lets every queued promise callback run (the loops' pumps, watch delivery). */
export async function flush(): Promise<void> {
  await flushMicrotasks();
  await flushMicrotasks();
}

let serviceCounter = 0;

/** Creates a service from an unvalidated spec (defaults filled as the control API would). */
export async function createService(store: Store, spec: Omit<ServiceSpec, 'task'> & { task?: Partial<ServiceSpec['task']> }, id?: string): Promise<Service> {
  const validated = validateServiceSpec({ ...spec, task: { container: { image: 'nginx:1.27' }, ...spec.task } } as ServiceSpec);
  const sid = id ?? `svc${++serviceCounter}`;
  return store.update((tx) => tx.services.create({ id: sid, spec: validated, specVersion: 1 }));
}

/** Changes a service's spec as the control API would: validated, spec version bumped. */
export async function updateService(store: Store, id: string, change: (spec: ServiceSpec) => ServiceSpec, extra?: (s: Service) => Partial<Service>): Promise<Service> {
  return store.update((tx) => {
    const current = tx.services.getOrThrow(id);
    const next = validateServiceSpec(change(current.spec));
    return tx.services.update(id, (d) => {
      d.previousSpec = current.spec as typeof d.previousSpec;
      d.spec = next as typeof d.spec;
      d.specVersion = current.specVersion + 1;
      if (extra !== undefined) Object.assign(d, extra(current));
    });
  });
}

export function node(id: string, options: { labels?: Labels; state?: Node['status']['state']; availability?: NodeSpec['availability']; role?: NodeSpec['role'] } = {}): NewObject<'node'> {
  const role = options.role ?? 'worker';
  return {
    id,
    spec: { role, membership: 'accepted', availability: options.availability ?? 'active', ...(options.labels ? { labels: options.labels } : {}) },
    role,
    description: {
      hostname: id,
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
      engine: { version: '27.0.0' },
    },
    status: { state: options.state ?? 'ready' },
  };
}

export async function addNodes(store: Store, ids: readonly string[], options: Parameters<typeof node>[1] = {}): Promise<void> {
  await store.update((tx) => {
    for (const id of ids) tx.nodes.create(node(id, options));
  });
}

export async function changeNode(store: Store, id: string, change: (n: { spec: { availability: string; labels?: Labels }; status: { state: string } }) => void): Promise<void> {
  await store.update((tx) => tx.nodes.update(id, (d) => change(d as never)));
}

export function tasksOf(store: Store, serviceId: string): Task[] {
  return store.view((tx) => [...tx.tasks.find({ serviceId })]);
}

/** Runnable tasks (desired running or earlier) by slot number. */
export function runnableSlots(store: Store, serviceId: string): Map<number, Task[]> {
  const out = new Map<number, Task[]>();
  for (const t of tasksOf(store, serviceId)) {
    if (!['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'].includes(t.desiredState)) continue;
    out.set(t.slot, [...(out.get(t.slot) ?? []), t]);
  }
  return out;
}

/** Writes a task's observed state as an agent would, timestamped by `clock`. */
export async function report(
  store: Store,
  clock: VirtualClock,
  taskId: string,
  state: TaskState,
  extra: { nodeId?: string; exitCode?: number } = {},
): Promise<void> {
  await store.update((tx) =>
    tx.tasks.update(taskId, (d) => {
      d.status = { state, timestamp: clock.now(), message: state, ...(extra.exitCode !== undefined ? { exitCode: extra.exitCode } : {}) };
      if (extra.nodeId !== undefined) d.nodeId = extra.nodeId;
    }),
  );
}
