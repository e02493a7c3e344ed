/**
 * Store benchmark: fills stores with 1k, 10k, 100k and 1M tasks (over 1k nodes and 100 services,
 * inserted with batch()) and for each size measures single-object update transactions (one
 * task's status per transaction, awaited) and finding one node's tasks. Fails (exit code 1) when
 * an update at 1M tasks costs more than twice one at 1k: a transaction's cost must not depend on
 * the size of the table.
 *
 * Update rounds interleave the sizes (after one warm-up round each), so that noise from the
 * machine and from the garbage collector (one heap holds every store) falls on all sizes alike;
 * each size reports its median round. What remains between sizes is what the table size costs:
 * at 1M tasks every update touches memory that is no longer in the CPU caches.
 *
 *   npx tsx bench/store.ts        (about 40 s; peaks near 1.2 GB of heap, within Node's default)
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Random, VirtualClock } from '../src/runtime/index.js';
import type { TaskSpec, TaskState } from '../src/api/index.js';
import { Store, type NewObject } from '../src/store/index.js';

const SIZES = [1_000, 10_000, 100_000, 1_000_000];
const NODES = 1_000;
const SERVICES = 100;
const WARMUP_ROUNDS = 1;
const UPDATE_ROUNDS = 15;
const UPDATES_PER_ROUND = 4_000;
const LOOKUPS = 300;
const MAX_RATIO = 2;

interface Row {
  readonly tasks: number;
  readonly fillMs: number;
  /** Median round. */
  readonly updateUs: number;
  /** Best round. */
  readonly bestUs: number;
  readonly updatesPerSec: number;
  readonly lookupUs: number;
  readonly tasksPerNode: number;
}

const SPEC: TaskSpec = Object.freeze({ container: Object.freeze({ image: 'nginx:1.27' }) });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

/** Runs the benchmark and prints its table; sets `process.exitCode = 1` when the bound fails. */
export async function main(): Promise<void> {
  const clock = new VirtualClock({ start: 1_700_000_000_000 });
  const random = Random.fromSeed('bench/store');
  const nodeIds = Array.from({ length: NODES }, () => random.id());
  const serviceIds = Array.from({ length: SERVICES }, () => random.id());
  const serviceNames = Array.from({ length: SERVICES }, (_, i) => `svc-${i}`);

  const newTask = (i: number): NewObject<'task'> => {
    const serviceIndex = i % SERVICES;
    return {
      id: random.id(),
      serviceId: serviceIds[serviceIndex] as string,
      serviceName: serviceNames[serviceIndex] as string,
      slot: Math.floor(i / SERVICES) + 1,
      nodeId: nodeIds[i % NODES] as string,
      spec: SPEC,
      specVersion: 1,
      status: { state: 'running', timestamp: 0, message: '' },
      desiredState: 'running',
    };
  };

  interface Filled {
    readonly size: number;
    readonly store: Store;
    readonly taskIds: string[];
    readonly fillMs: number;
    readonly updateUs: number[];
  }
  const filled: Filled[] = [];
  for (const size of SIZES) {
    const store = new Store({ clock });
    const taskIds: string[] = [];
    const fillStart = performance.now();
    await store.batch((b) => {
      for (const [i, id] of nodeIds.entries()) {
        void b.update((tx) =>
          tx.nodes.create({
            id,
            spec: { role: 'worker', membership: 'accepted', availability: 'active' },
            role: 'worker',
            description: { hostname: `node-${i}`, platform: { os: 'linux', architecture: 'x86_64' }, resources: {}, engine: { version: '27.0.0' } },
            status: { state: 'ready' },
          }),
        );
      }
      for (const [i, id] of serviceIds.entries()) {
        void b.update((tx) => tx.services.create({ id, spec: { name: serviceNames[i] as string, task: SPEC }, specVersion: 1 }));
      }
      for (let i = 0; i < size; i += 100) {
        const end = Math.min(size, i + 100);
        void b.update((tx) => {
          for (let j = i; j < end; j++) taskIds.push(tx.tasks.create(newTask(j)).id);
        });
      }
    });
    filled.push({ size, store, taskIds, fillMs: performance.now() - fillStart, updateUs: [] });
  }

  let flip = false;
  for (let round = 0; round < WARMUP_ROUNDS + UPDATE_ROUNDS; round++) {
    for (const f of filled) {
      const ids = Array.from({ length: UPDATES_PER_ROUND }, () => f.taskIds[random.int(f.taskIds.length)] as string);
      const start = performance.now();
      for (const id of ids) {
        flip = !flip;
        const state: TaskState = flip ? 'starting' : 'running';
        await f.store.update((tx) =>
          tx.tasks.update(id, (t) => {
            t.status.state = state;
            t.status.timestamp = clock.now();
          }),
        );
      }
      if (round >= WARMUP_ROUNDS) f.updateUs.push(((performance.now() - start) * 1000) / UPDATES_PER_ROUND);
    }
  }

  const rows: Row[] = [];
  for (const f of filled) {
    const lookupNodes = Array.from({ length: LOOKUPS }, () => nodeIds[random.int(NODES)] as string);
    let found = 0;
    const lookupStart = performance.now();
    for (const nodeId of lookupNodes) found += f.store.view((tx) => tx.tasks.find({ nodeId })).length;
    const lookupUs = ((performance.now() - lookupStart) * 1000) / LOOKUPS;
    const updateUs = median(f.updateUs);
    rows.push({ tasks: f.size, fillMs: f.fillMs, updateUs, bestUs: Math.min(...f.updateUs), updatesPerSec: 1e6 / updateUs, lookupUs, tasksPerNode: found / LOOKUPS });
  }

  const pad = (s: string, n: number): string => s.padStart(n);
  const out = (line: string): void => void process.stdout.write(line + '\n');
  out(`${pad('tasks', 10)} ${pad('fill ms', 9)} ${pad('update µs', 10)} ${pad('(best)', 7)} ${pad('updates/s', 10)} ${pad('find µs', 9)} ${pad('tasks/node', 10)}`);
  for (const r of rows) {
    out(
      `${pad(r.tasks.toLocaleString('en'), 10)} ${pad(r.fillMs.toFixed(0), 9)} ${pad(r.updateUs.toFixed(2), 10)} ${pad(r.bestUs.toFixed(2), 7)} ${pad(r.updatesPerSec.toFixed(0), 10)} ${pad(r.lookupUs.toFixed(1), 9)} ${pad(r.tasksPerNode.toFixed(0), 10)}`,
    );
  }
  out(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
  const first = rows[0] as Row;
  const last = rows[rows.length - 1] as Row;
  const ratio = last.updateUs / first.updateUs;
  const ok = ratio <= MAX_RATIO;
  out(`update cost ratio ${last.tasks.toLocaleString('en')} / ${first.tasks.toLocaleString('en')} tasks: ${ratio.toFixed(2)} (bound ${MAX_RATIO}) ${ok ? 'ok' : 'FAILED'}`);
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
