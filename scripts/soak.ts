/**
 * Soak test of the raft simulator: runs many seeds across worker processes, prints progress and
 * every failing seed (with its replay command), exits non-zero on any failure.
 *
 *   npx tsx scripts/soak.ts --seeds 10000 [--from 1] [--jobs <cores>] [--storage memory|file]
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { runSeeds, type RaftSimulationOptions, type StorageKind } from '../src/testing/raft-simulator/index.js';

interface Args {
  seeds: number;
  from: number;
  jobs: number;
  storage: StorageKind;
  workarounds: boolean;
  worker: number | undefined;
}

type Report = { kind: 'seed'; seed: number; ok: true; ms: number } | { kind: 'seed'; seed: number; ok: false; message: string } | { kind: 'done' };

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: 1000, from: 1, jobs: Math.max(1, availableParallelism()), storage: 'memory', workarounds: true, worker: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seeds') args.seeds = Number(value());
    else if (a === '--from') args.from = Number(value());
    else if (a === '--jobs') args.jobs = Number(value());
    else if (a === '--storage') args.storage = value() as StorageKind;
    else if (a === '--no-workarounds') args.workarounds = false;
    else if (a === '--worker') args.worker = Number(value());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isSafeInteger(args.seeds) || args.seeds < 1) throw new Error('--seeds must be a positive integer');
  if (!Number.isSafeInteger(args.from)) throw new Error('--from must be an integer');
  if (!Number.isSafeInteger(args.jobs) || args.jobs < 1) throw new Error('--jobs must be a positive integer');
  if (args.storage !== 'memory' && args.storage !== 'file') throw new Error('--storage must be memory or file');
  return args;
}

function simulationOptions(args: Args): Omit<RaftSimulationOptions, 'seed'> {
  // Keep in step with KNOWN_BUG_WORKAROUNDS in test/raft/simulator/sweep-config.ts.
  return { storage: args.storage, workarounds: {} };
}

async function worker(args: Args, index: number): Promise<void> {
  const send = (r: Report): void => {
    process.send?.(r);
  };
  let started = performance.now();
  await runSeeds({
    from: args.from,
    count: args.seeds,
    stride: args.jobs,
    offset: index,
    options: simulationOptions(args),
    onSeed: (seed, outcome) => {
      const ms = performance.now() - started;
      started = performance.now();
      if (outcome instanceof Error) send({ kind: 'seed', seed, ok: false, message: outcome.message });
      else send({ kind: 'seed', seed, ok: true, ms });
    },
  });
  send({ kind: 'done' });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.worker !== undefined) return worker(args, args.worker);

  const t0 = performance.now();
  const failures: { seed: number; message: string }[] = [];
  let done = 0;
  let lastPrint = 0;
  const flags = ['--seeds', String(args.seeds), '--from', String(args.from), '--jobs', String(args.jobs), '--storage', args.storage, ...(args.workarounds ? [] : ['--no-workarounds'])];
  console.log(`soak: seeds ${args.from}..${args.from + args.seeds - 1}, ${args.jobs} workers, ${args.storage} storage${args.workarounds ? '' : ', no work-arounds'}`);
  const exits = Array.from({ length: Math.min(args.jobs, args.seeds) }, (_, k) =>
    new Promise<void>((resolve, reject) => {
      const child = fork(process.argv[1] as string, [...flags, '--worker', String(k)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (r: Report) => {
        if (r.kind !== 'seed') return;
        done++;
        if (!r.ok) {
          failures.push({ seed: r.seed, message: r.message });
          console.log(`\nFAIL SEED=${r.seed}: ${r.message.split('\n')[0]}\n  replay: SEED=${r.seed} npx vitest run test/raft/simulator${args.storage === 'file' ? ' (with SIM_STORAGE=file)' : ''}`);
        }
        const now = performance.now();
        if (now - lastPrint > 5_000 || done === args.seeds) {
          lastPrint = now;
          const rate = (done / ((now - t0) / 60_000)).toFixed(0);
          console.log(`soak: ${done}/${args.seeds} seeds, ${failures.length} failed, ${rate} seeds/min`);
        }
      });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${k} exited with code ${code}`))));
    }),
  );
  await Promise.all(exits);
  const minutes = (performance.now() - t0) / 60_000;
  console.log(`soak: ${done} seeds in ${minutes.toFixed(1)} min (${(done / minutes).toFixed(0)} seeds/min), ${failures.length} failed`);
  if (failures.length > 0) {
    console.log(`failing seeds: ${failures.map((f) => f.seed).sort((a, b) => a - b).join(' ')}`);
    for (const f of failures) console.log(`\n${f.message}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});
