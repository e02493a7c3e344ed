/**
 * Flotilla with DockerExecutor versus Docker's own swarm mode, on the same engine and the same
 * workload: a replicated `busybox sleep 1d` service of N replicas (N = 10 and 30, with an init
 * process so both stop at once), timed from the create call to N/N running, then from the remove
 * call until no container of the service is left. The goal: Flotilla at least as fast as Swarm.
 *
 *   npx tsx bench/docker.ts                 (N = 10 and 30)
 *   npx tsx bench/docker.ts --replicas 5,50
 *
 * Swarm side: `docker swarm init` on the engine (skipped if it is already in a swarm, which this
 * bench then leaves alone), `docker service create --detach`, `docker service ls` polled until
 * N/N, `docker service rm` and the engine's container list polled until empty, then
 * `docker swarm leave --force`. Skips (saying why) when no engine answers.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Cluster } from '../src/cluster/index.js';
import { DockerExecutor } from '../src/executor/docker/index.js';

const run = promisify(execFile);
const SOCKET_PATH = process.env.DOCKER_SOCK ?? '/var/run/docker.sock';
const POLL_MS = 50;
const TIMEOUT_MS = 180_000;
const docker = new Docker({ socketPath: SOCKET_PATH });

interface Timing {
  readonly upMs: number;
  readonly downMs: number;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(predicate: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

async function countContainers(label: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [label] } })).length;
}

async function flotilla(replicas: number): Promise<Timing> {
  const scope = `bench-flotilla-${randomUUID().slice(0, 8)}`;
  const executors: DockerExecutor[] = [];
  const cluster = await Cluster.create({
    managers: 1,
    workers: 0,
    timeout: TIMEOUT_MS,
    executor: (ctx) => {
      const ex = new DockerExecutor({ socketPath: SOCKET_PATH, scope, hostname: ctx.hostname });
      executors.push(ex);
      return ex;
    },
  });
  try {
    const t0 = performance.now();
    await cluster.services.create({ name: 'bench', mode: { replicated: { replicas } }, task: { container: { image: 'busybox', command: ['sleep', '1d'], init: true } } });
    await cluster.waitFor(() => cluster.services.replicas('bench').running === replicas, { waitingFor: `${replicas}/${replicas} running` });
    const upMs = performance.now() - t0;
    const t1 = performance.now();
    await cluster.services.remove('bench');
    await until(async () => (await countContainers(`io.flotilla.scope=${scope}`)) === 0, 'the containers to be removed');
    return { upMs, downMs: performance.now() - t1 };
  } finally {
    await cluster.close();
    for (const ex of executors) ex.close();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`io.flotilla.scope=${scope}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
  }
}

async function swarm(replicas: number): Promise<Timing> {
  const name = `bench-swarm-${randomUUID().slice(0, 8)}`;
  const t0 = performance.now();
  await run('docker', ['service', 'create', '--detach', '--quiet', '--init', '--replicas', String(replicas), '--name', name, 'busybox', 'sleep', '1d']);
  await until(async () => {
    const { stdout } = await run('docker', ['service', 'ls', '--filter', `name=${name}`, '--format', '{{.Replicas}}']);
    return stdout.trim() === `${replicas}/${replicas}`;
  }, `${replicas}/${replicas} swarm replicas`);
  const upMs = performance.now() - t0;
  const t1 = performance.now();
  await run('docker', ['service', 'rm', name]);
  await until(async () => (await countContainers(`com.docker.swarm.service.name=${name}`)) === 0, 'the swarm containers to be removed');
  return { upMs, downMs: performance.now() - t1 };
}

/** Runs `fn` with the engine in swarm mode, restoring the engine's state afterwards. */
async function inSwarm<T>(fn: () => Promise<T>): Promise<T> {
  const info = await docker.info();
  const state = (info as { Swarm?: { LocalNodeState?: string } }).Swarm?.LocalNodeState;
  if (state !== 'inactive') throw new Error(`the engine's swarm state is ${state ?? 'unknown'}, not inactive; not touching it`);
  const hadGwBridge = (await docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).length > 0;
  await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  try {
    return await fn();
  } finally {
    await run('docker', ['swarm', 'leave', '--force']).catch(() => undefined);
    if (!hadGwBridge) await docker.getNetwork('docker_gwbridge').remove().catch(() => undefined);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2).padStart(8);
}

function ratio(ours: number, theirs: number): string {
  return (ours / theirs).toFixed(2).padStart(6);
}

export async function main(): Promise<void> {
  try {
    await docker.ping();
    await docker.getImage('busybox:latest').inspect();
  } catch (e) {
    out(`skipped: no Docker engine with a busybox image on ${SOCKET_PATH} (${e instanceof Error ? e.message : String(e)}); run scripts/docker-engine.sh`);
    return;
  }
  try {
    await run('docker', ['version', '--format', '{{.Server.Version}}']);
  } catch (e) {
    out(`skipped: the docker CLI cannot reach the engine (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  const arg = process.argv.indexOf('--replicas');
  const sizes = arg >= 0 ? (process.argv[arg + 1] ?? '').split(',').map(Number).filter((n) => n > 0) : [10, 30];
  const rows: { n: number; ours: Timing; theirs: Timing }[] = [];
  for (const n of sizes) {
    const ours = await flotilla(n);
    const theirs = await inSwarm(() => swarm(n));
    rows.push({ n, ours, theirs });
  }
  out('replicas | create→N/N running (s): flotilla    swarm  ratio | remove→no container (s): flotilla    swarm  ratio');
  let slower = false;
  for (const { n, ours, theirs } of rows) {
    out(`${String(n).padStart(8)} |                     ${seconds(ours.upMs)} ${seconds(theirs.upMs)} ${ratio(ours.upMs, theirs.upMs)} |                     ${seconds(ours.downMs)} ${seconds(theirs.downMs)} ${ratio(ours.downMs, theirs.downMs)}`);
    if (ours.upMs > theirs.upMs || ours.downMs > theirs.downMs) slower = true;
  }
  out(`ratio = flotilla / swarm (below 1: Flotilla is faster). Goal, at least as fast as Swarm: ${slower ? 'MISSED for some size' : 'met'}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
