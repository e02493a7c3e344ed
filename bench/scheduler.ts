/**
 * Scheduler benchmark: places 100k pending tasks (10 services of 10k replicas, each reserving
 * 0.01 CPU and 4 MiB) on 1k and on 10k nodes, with and without a placement constraint that 1/3
 * of the nodes satisfy (`node.labels.tier==gold`), as SwarmKit's `BenchmarkScheduler…` do.
 *
 * - planner: the pure core, `planPlacements(nodes, tasks)`, median of 5 rounds after a warm-up;
 * - end to end: the tasks wait in a Store, a `Scheduler` starts and runs until every task is
 *   `assigned` and its own events are consumed (reading the store, planning, 100 transactions of
 *   1,000 task updates, the watch events); median of 3 rounds, each on a fresh store (filling the
 *   store is not timed).
 *
 * Goal: 100k tasks on 1k nodes in under 2 s, both ways (SwarmKit's stated figure, with setup:
 * 22.6 s). Each figure is printed as wall-clock and CPU time (user + system of this process):
 * wall time also counts other processes on a busy machine, CPU time also counts V8's parallel
 * GC and compiler threads, so a goal is met when either is under 2 s. Exit code 1 when a goal is
 * missed.
 *
 *   npx tsx bench/run.ts scheduler        (about a minute)
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Node, Task, TaskSpec } from '../src/api/index.js';
import { flushMicrotasks, Random, VirtualClock } from '../src/runtime/index.js';
import { planPlacements, Scheduler } from '../src/scheduler/index.js';
import { Store, type NewObject } from '../src/store/index.js';

const TASKS = 100_000;
const SERVICES = 10;
const NODE_COUNTS = [1_000, 10_000];
const PLANNER_ROUNDS = 5;
const E2E_ROUNDS = 3;
const GOAL_NODES = 1_000;
const GOAL_MS = 2_000;

interface Scenario {
  readonly nodes: number;
  readonly constrained: boolean;
}

/** Wall-clock and CPU milliseconds of one measurement. */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

interface Row extends Scenario {
  readonly planner: Timing;
  readonly e2e: Timing;
}

/** Times `fn`: wall clock, and the CPU time of this process (user + system). */
async function measure(fn: () => unknown): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function medianTiming(timings: Timing[]): Timing {
  return { wall: median(timings.map((t) => t.wall)), cpu: median(timings.map((t) => t.cpu)) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

function makeNodes(count: number, random: Random): NewObject<'node'>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: random.id(),
    spec: { role: 'worker', membership: 'accepted', availability: 'active', labels: { tier: i % 3 === 0 ? 'gold' : 'standard', zone: `z${i % 4}` } },
    role: 'worker',
    description: {
      hostname: `node-${i}`,
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 64e9, memoryBytes: 256 * 2 ** 30 },
      engine: { version: '27.0.0' },
    },
    status: { state: 'ready' },
  }));
}

function makeTasks(constrained: boolean, random: Random): NewObject<'task'>[] {
  const specs: TaskSpec[] = Array.from({ length: SERVICES }, () =>
    Object.freeze({
      container: Object.freeze({ image: 'nginx:1.27' }),
      resources: Object.freeze({ reservations: Object.freeze({ nanoCpus: 1e7, memoryBytes: 4 * 2 ** 20 }) }),
      ...(constrained ? { placement: Object.freeze({ constraints: Object.freeze(['node.labels.tier==gold']) }) } : {}),
    }),
  );
  const serviceIds = Array.from({ length: SERVICES }, () => random.id());
  return Array.from({ length: TASKS }, (_, i): NewObject<'task'> => {
    const s = i % SERVICES;
    return {
      id: random.id(),
      serviceId: serviceIds[s] as string,
      serviceName: `svc-${s}`,
      slot: Math.floor(i / SERVICES) + 1,
      nodeId: '',
      spec: specs[s] as TaskSpec,
      specVersion: 1,
      status: { state: 'pending', timestamp: 0, message: 'pending task scheduling' },
      desiredState: 'running',
    };
  });
}

function withMeta<T>(objects: readonly T[]): (T & { meta: { version: number; createdAt: number; updatedAt: number } })[] {
  return objects.map((o) => ({ ...o, meta: { version: 1, createdAt: 0, updatedAt: 0 } }));
}

/** The pure planner: one full plan. */
async function timePlanner(nodes: readonly Node[], tasks: readonly Task[]): Promise<Timing> {
  let placed = 0;
  const t = await measure(() => (placed = planPlacements(nodes, tasks).placements.length));
  if (placed !== tasks.length) throw new Error(`planner placed ${placed} of ${tasks.length}`);
  return t;
}

/** A store holding the nodes and the pending tasks, then a Scheduler run until all are assigned. */
async function timeEndToEnd(nodes: readonly NewObject<'node'>[], tasks: readonly NewObject<'task'>[]): Promise<Timing> {
  const clock = new VirtualClock({ start: 1_700_000_000_000 });
  const store = new Store({ clock });
  await store.batch((b) => {
    for (let i = 0; i < nodes.length; i += 100) void b.update((tx) => nodes.slice(i, i + 100).forEach((n) => tx.nodes.create(n)));
    for (let i = 0; i < tasks.length; i += 100) void b.update((tx) => tasks.slice(i, i + 100).forEach((t) => tx.tasks.create(t)));
  });
  const scheduler = new Scheduler({ store, clock });
  const t = await measure(async () => {
    scheduler.start();
    await scheduler.scheduleOnce();
    await flushMicrotasks();
  });
  await scheduler.stop();
  const assigned = store.view((tx) => tx.tasks.find({ state: 'assigned' }).length);
  store.close();
  if (assigned !== tasks.length) throw new Error(`scheduler assigned ${assigned} of ${tasks.length}`);
  return t;
}

/** Runs the benchmark and prints its table; sets `process.exitCode = 1` when a goal is missed. */
export async function main(): Promise<void> {
  const out = (line: string): void => void process.stdout.write(line + '\n');
  const random = Random.fromSeed('bench/scheduler');
  const scenarios: Scenario[] = [];
  for (const nodes of NODE_COUNTS) for (const constrained of [false, true]) scenarios.push({ nodes, constrained });

  // Warm-up (JIT) on the smallest scenario.
  {
    const nodes = makeNodes(NODE_COUNTS[0] as number, random);
    const tasks = makeTasks(false, random);
    await timePlanner(withMeta(nodes) as Node[], withMeta(tasks) as Task[]);
    await timeEndToEnd(nodes, tasks.slice(0, 20_000));
  }

  const rows: Row[] = [];
  for (const s of scenarios) {
    const nodes = makeNodes(s.nodes, random);
    const tasks = makeTasks(s.constrained, random);
    const fullNodes = withMeta(nodes) as Node[];
    const fullTasks = withMeta(tasks) as Task[];
    const planner: Timing[] = [];
    for (let r = 0; r < PLANNER_ROUNDS; r++) planner.push(await timePlanner(fullNodes, fullTasks));
    const e2e: Timing[] = [];
    for (let r = 0; r < E2E_ROUNDS; r++) e2e.push(await timeEndToEnd(nodes, tasks));
    rows.push({ ...s, planner: medianTiming(planner), e2e: medianTiming(e2e) });
  }

  const pad = (v: string, n: number): string => v.padStart(n);
  const rate = (ms: number): string => Math.round((TASKS / ms) * 1000).toLocaleString('en');
  out(`${pad('tasks', 8)} ${pad('nodes', 7)} ${pad('constraint', 11)} | ${pad('planner ms', 10)} ${pad('(cpu)', 6)} ${pad('placed/s', 9)} | ${pad('e2e ms', 7)} ${pad('(cpu)', 6)} ${pad('placed/s', 9)}`);
  for (const r of rows) {
    out(
      `${pad(TASKS.toLocaleString('en'), 8)} ${pad(r.nodes.toLocaleString('en'), 7)} ${pad(r.constrained ? '1/3 nodes' : 'none', 11)} | ` +
        `${pad(r.planner.wall.toFixed(0), 10)} ${pad(r.planner.cpu.toFixed(0), 6)} ${pad(rate(r.planner.wall), 9)} | ` +
        `${pad(r.e2e.wall.toFixed(0), 7)} ${pad(r.e2e.cpu.toFixed(0), 6)} ${pad(rate(r.e2e.wall), 9)}`,
    );
  }
  out(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`);
  // Wall time counts other processes on a busy machine; CPU time counts V8's parallel GC and
  // compiler threads on an idle one. A goal is met when either measure meets it.
  let ok = true;
  for (const r of rows.filter((row) => row.nodes === GOAL_NODES)) {
    const label = `100k tasks on 1k nodes${r.constrained ? ' (constrained)' : ''}`;
    for (const [what, t] of [['planner', r.planner], ['end to end', r.e2e]] as const) {
      const pass = Math.min(t.wall, t.cpu) < GOAL_MS;
      ok &&= pass;
      out(`goal ${label}, ${what}: ${t.wall.toFixed(0)} ms wall, ${t.cpu.toFixed(0)} ms cpu; under ${GOAL_MS} ms: ${pass ? 'ok' : 'FAILED'}`);
    }
  }
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
