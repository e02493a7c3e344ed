/**
 * Store benchmark: stores of 1k, 10k, 100k and 1M tasks (over 1k nodes and 100 services,
 * inserted with batch()); for each size, the cost of one update transaction that changes one
 * task's status (awaited), and of finding one node's tasks. Fails (exit code 1) when an update at
 * 1M tasks costs more than twice one at 1k: a transaction's cost must not depend on the size of
 * the table.
 *
 * How it measures, so that sizes are compared fairly:
 * - Each size lives in a process of its own (forked with `--expose-gc`), so its heap holds its
 *   store and nothing else: nothing left over from other sizes, and a 1k store is measured in
 *   the small heap a 1k user has. After filling, the worker collects garbage twice, so what the
 *   fill left behind is not billed to the updates; the collections the updates cause are.
 * - Every size runs the same rounds of the same number of updates, each to a task picked at
 *   random from the whole table, and reports its median round (and its best). Warm-up rounds
 *   come first and are not counted.
 * - Rounds are interleaved across the sizes (the workers take turns, one at a time), so noise
 *   from the machine falls on every size alike.
 *
 *   npx tsx bench/store.ts        (about a minute; the 1M worker peaks near 1 GB of heap)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Random, VirtualClock } from '../src/runtime/index.js';
import type { TaskSpec, TaskState } from '../src/api/index.js';
import { Store, type NewObject } from '../src/store/index.js';

const SIZES = [1_000, 10_000, 100_000, 1_000_000];
const NODES = 1_000;
const SERVICES = 100;
const WARMUP_ROUNDS = 2;
const UPDATE_ROUNDS = 11;
const UPDATES_PER_ROUND = 5_000;
const LOOKUPS = 300;
const MAX_RATIO = 2;
/** Set in a worker's environment to the size it serves. */
const WORKER_ENV = 'FLOTILLA_BENCH_STORE_SIZE';

type Request = { readonly type: 'round' } | { readonly type: 'lookups' };
type Reply =
  | { readonly type: 'ready'; readonly fillMs: number; readonly heapMb: number }
  | { readonly type: 'round'; readonly us: number; readonly cpuUs: number }
  | { readonly type: 'lookups'; readonly us: number; readonly tasksPerNode: number };

interface Row {
  readonly tasks: number;
  readonly fillMs: number;
  readonly heapMb: number;
  /** Median round. */
  readonly updateUs: number;
  /** Best round. */
  readonly bestUs: number;
  /** Median round, in CPU time (every thread of the worker, so including the collector's). */
  readonly cpuUs: number;
  readonly lookupUs: number;
  readonly tasksPerNode: number;
}

const SPEC: TaskSpec = Object.freeze({ container: Object.freeze({ image: 'nginx:1.27' }) });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

/** Fills a store of `size` tasks, then serves the parent's requests until it disconnects. */
async function worker(size: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const clock = new VirtualClock({ start: 1_700_000_000_000 });
  const random = Random.fromSeed(`bench/store/${size}`);
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
  const fillMs = performance.now() - fillStart;
  gc?.();
  gc?.();

  let flip = false;
  const round = async (): Promise<Reply> => {
    const ids = Array.from({ length: UPDATES_PER_ROUND }, () => taskIds[random.int(taskIds.length)] as string);
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    for (const id of ids) {
      flip = !flip;
      const state: TaskState = flip ? 'starting' : 'running';
      await store.update((tx) =>
        tx.tasks.update(id, (t) => {
          t.status.state = state;
          t.status.timestamp = clock.now();
        }),
      );
    }
    const us = ((performance.now() - start) * 1000) / UPDATES_PER_ROUND;
    const cpu = process.cpuUsage(cpuStart);
    return { type: 'round', us, cpuUs: (cpu.user + cpu.system) / UPDATES_PER_ROUND };
  };
  const lookups = (): Reply => {
    const lookupNodes = Array.from({ length: LOOKUPS }, () => nodeIds[random.int(NODES)] as string);
    let found = 0;
    const start = performance.now();
    for (const nodeId of lookupNodes) found += store.view((tx) => tx.tasks.find({ nodeId })).length;
    return { type: 'lookups', us: ((performance.now() - start) * 1000) / LOOKUPS, tasksPerNode: found / LOOKUPS };
  };

  const send = (reply: Reply): void => void process.send?.(reply);
  process.on('message', (request: Request) => {
    if (request.type === 'round') void round().then(send);
    else send(lookups());
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', fillMs, heapMb: process.memoryUsage().heapUsed / 2 ** 20 });
}

/** One worker process and its replies, in order. */
class Worker {
  private readonly replies: Reply[] = [];
  private waiting: { readonly resolve: (reply: Reply) => void; readonly reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting !== undefined) waiting.resolve(reply);
      else this.replies.push(reply);
    });
    child.on('exit', (code) => {
      this.failure = new Error(`store bench worker exited (code ${String(code)})`);
      this.waiting?.reject(this.failure);
      this.waiting = undefined;
    });
  }

  static start(size: number): Worker {
    const file = fileURLToPath(import.meta.url);
    const child = fork(file, [], {
      execArgv: [...process.execArgv, '--expose-gc'],
      env: { ...process.env, [WORKER_ENV]: String(size) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Worker(child);
  }

  next(): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async ask<T extends Reply['type']>(request: Request, type: T): Promise<Extract<Reply, { type: T }>> {
    this.child.send(request);
    const reply = await this.next();
    if (reply.type !== type) throw new Error(`store bench worker answered ${reply.type} to ${request.type}`);
    return reply as Extract<Reply, { type: T }>;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

/** Runs the benchmark and prints its table; sets `process.exitCode = 1` when the bound fails. */
export async function main(): Promise<void> {
  const workers: Worker[] = [];
  try {
    // Filled one at a time, so that fill times are not disturbed by each other.
    const ready: Extract<Reply, { type: 'ready' }>[] = [];
    for (const size of SIZES) {
      const w = Worker.start(size);
      workers.push(w);
      const reply = await w.next();
      if (reply.type !== 'ready') throw new Error(`store bench worker answered ${reply.type} before it was ready`);
      ready.push(reply);
    }
    const rounds: Extract<Reply, { type: 'round' }>[][] = SIZES.map(() => []);
    for (let r = 0; r < WARMUP_ROUNDS + UPDATE_ROUNDS; r++) {
      for (const [i, w] of workers.entries()) {
        const reply = await w.ask({ type: 'round' }, 'round');
        if (r >= WARMUP_ROUNDS) rounds[i]?.push(reply);
      }
    }
    const rows: Row[] = [];
    for (const [i, w] of workers.entries()) {
      const lookup = await w.ask({ type: 'lookups' }, 'lookups');
      const mine = rounds[i] ?? [];
      rows.push({
        tasks: SIZES[i] as number,
        fillMs: ready[i]?.fillMs ?? 0,
        heapMb: ready[i]?.heapMb ?? 0,
        updateUs: median(mine.map((x) => x.us)),
        bestUs: Math.min(...mine.map((x) => x.us)),
        cpuUs: median(mine.map((x) => x.cpuUs)),
        lookupUs: lookup.us,
        tasksPerNode: lookup.tasksPerNode,
      });
    }
    report(rows);
  } finally {
    for (const w of workers) w.stop();
  }
}

function report(rows: readonly Row[]): void {
  const pad = (s: string, n: number): string => s.padStart(n);
  const out = (line: string): void => void process.stdout.write(line + '\n');
  out(
    `${UPDATE_ROUNDS} rounds of ${UPDATES_PER_ROUND.toLocaleString('en')} updates per size (after ${WARMUP_ROUNDS} warm-up rounds), each size in a process of its own`,
  );
  out(
    `${pad('tasks', 10)} ${pad('fill ms', 9)} ${pad('heap MB', 8)} ${pad('update µs', 10)} ${pad('(best)', 7)} ${pad('(cpu)', 7)} ${pad('updates/s', 10)} ${pad('find µs', 9)} ${pad('tasks/node', 10)}`,
  );
  for (const r of rows) {
    out(
      `${pad(r.tasks.toLocaleString('en'), 10)} ${pad(r.fillMs.toFixed(0), 9)} ${pad(r.heapMb.toFixed(0), 8)} ${pad(r.updateUs.toFixed(2), 10)} ${pad(r.bestUs.toFixed(2), 7)} ${pad(r.cpuUs.toFixed(2), 7)} ${pad((1e6 / r.updateUs).toFixed(0), 10)} ${pad(r.lookupUs.toFixed(1), 9)} ${pad(r.tasksPerNode.toFixed(0), 10)}`,
    );
  }
  const first = rows[0] as Row;
  const last = rows[rows.length - 1] as Row;
  const ratio = last.updateUs / first.updateUs;
  const ok = ratio <= MAX_RATIO;
  out(`update cost ratio ${last.tasks.toLocaleString('en')} / ${first.tasks.toLocaleString('en')} tasks: ${ratio.toFixed(2)} (bound ${MAX_RATIO}) ${ok ? 'ok' : 'FAILED'}`);
  if (!ok) process.exitCode = 1;
}

const workerSize = process.env[WORKER_ENV];
if (workerSize !== undefined && process.send !== undefined) {
  await worker(Number(workerSize));
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
