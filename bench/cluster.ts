/**
 * End-to-end benchmark in simulation: one replicated service on N simulated nodes, from
 * `services.create` to every replica running, with one manager and with three raft managers.
 * Prints wall time, virtual time, peak heap and RSS. The goal (issue 4): 1,000,000 replicas on
 * 10,000 nodes in under 120 s and under 4 GiB.
 *
 *   npx tsx bench/cluster.ts                      (the default ladder, up to 1M)
 *   npx tsx bench/cluster.ts --replicas 100000 --nodes 1000 --managers 1
 *
 * Each configuration runs in a child process with a large heap, so one run's garbage does not
 * bill the next and a crash (out of memory) is reported instead of ending the bench.
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Cluster } from '../src/cluster/index.js';

const GOAL_MS = 120_000;
const GOAL_BYTES = 4 * 2 ** 30;
const WORKER_ENV = 'FLOTILLA_BENCH_CLUSTER';

interface Config {
  readonly replicas: number;
  readonly nodes: number;
  readonly managers: number;
}

interface Result extends Config {
  readonly ok: boolean;
  readonly error?: string;
  readonly bootMs: number;
  readonly convergeMs: number;
  readonly virtualMs: number;
  readonly peakHeapBytes: number;
  readonly peakRssBytes: number;
}

async function runOne(config: Config): Promise<Result> {
  let peakHeap = 0;
  let peakRss = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const t0 = performance.now();
  const cluster = await Cluster.simulate({ seed: 1, managers: config.managers, workers: config.nodes - config.managers, timeout: '1h' });
  const bootMs = performance.now() - t0;
  sample();
  const v0 = cluster.clock.now();
  const t1 = performance.now();
  let last = 0;
  cluster.on('task-state', () => {
    const now = performance.now();
    if (now - last > 250) {
      last = now;
      sample();
    }
  });
  await cluster.services.create({
    name: 'bench',
    mode: { replicated: { replicas: config.replicas } },
    task: { container: { image: 'busybox', command: ['sleep', '1d'] } },
  });
  await cluster.services.waitConverged('bench', { timeout: '1h' });
  const convergeMs = performance.now() - t1;
  sample();
  const virtualMs = cluster.clock.now() - v0;
  await cluster.close();
  return { ...config, ok: true, bootMs, convergeMs, virtualMs, peakHeapBytes: peakHeap, peakRssBytes: peakRss };
}

function inChild(config: Config): Promise<Result> {
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [WORKER_ENV]: JSON.stringify(config) },
      execArgv: [...process.execArgv, '--max-old-space-size=6144'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: Result | undefined;
    child.on('message', (m) => (result = m as Result));
    child.on('exit', (code) =>
      resolve(result ?? { ...config, ok: false, error: `worker exited with ${code}`, bootMs: 0, convergeMs: 0, virtualMs: 0, peakHeapBytes: 0, peakRssBytes: 0 }),
    );
  });
}

const gib = (b: number): string => `${(b / 2 ** 30).toFixed(2)} GiB`;

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const arg = (name: string): number | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  const replicas = arg('replicas');
  const configs: Config[] =
    replicas !== undefined
      ? [{ replicas, nodes: arg('nodes') ?? 1000, managers: arg('managers') ?? 1 }]
      : [
          { replicas: 10_000, nodes: 100, managers: 1 },
          { replicas: 100_000, nodes: 1_000, managers: 1 },
          { replicas: 1_000_000, nodes: 10_000, managers: 1 },
          { replicas: 1_000_000, nodes: 10_000, managers: 3 },
        ];
  process.stdout.write('replicas   nodes  managers   boot s   converge s   virtual s   peak heap   peak RSS\n');
  let failed = false;
  for (const c of configs) {
    const r = await inChild(c);
    if (!r.ok) {
      failed = true;
      process.stdout.write(`${String(c.replicas).padStart(8)} ${String(c.nodes).padStart(7)} ${String(c.managers).padStart(9)}   FAILED: ${r.error ?? '?'}\n`);
      continue;
    }
    const line = [
      String(r.replicas).padStart(8),
      String(r.nodes).padStart(7),
      String(r.managers).padStart(9),
      (r.bootMs / 1000).toFixed(1).padStart(8),
      (r.convergeMs / 1000).toFixed(1).padStart(12),
      (r.virtualMs / 1000).toFixed(1).padStart(11),
      gib(r.peakHeapBytes).padStart(11),
      gib(r.peakRssBytes).padStart(10),
    ].join(' ');
    process.stdout.write(`${line}\n`);
    if (r.replicas >= 1_000_000 && (r.convergeMs > GOAL_MS || r.peakRssBytes > GOAL_BYTES)) failed = true;
  }
  const goalRun = configs.some((c) => c.replicas >= 1_000_000);
  const verdict = failed ? ': MISSED' : goalRun ? ': met' : ': not measured by this run';
  process.stdout.write(`goal: 1,000,000 replicas on 10,000 nodes in under ${GOAL_MS / 1000} s and ${gib(GOAL_BYTES)}${verdict}\n`);
  if (failed) process.exitCode = 1;
}

const workerConfig = process.env[WORKER_ENV];
if (workerConfig !== undefined) {
  const result = await runOne(JSON.parse(workerConfig) as Config).catch(
    (err: unknown): Result => ({ ...(JSON.parse(workerConfig) as Config), ok: false, error: String(err), bootMs: 0, convergeMs: 0, virtualMs: 0, peakHeapBytes: 0, peakRssBytes: 0 }),
  );
  process.send?.(result);
  process.exit(0);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
