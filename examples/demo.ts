/**
 * `npm run demo`: a cluster of 3 managers and 5 workers. It deploys a replicated and a global
 * service, drains a node, rolls an update, kills the leader, and prints what happens, with a
 * progress line per service.
 *
 * By default the cluster is simulated under virtual time: everything derives from the seed, so
 * the same seed prints the same story. With `--executor docker` the same story runs on the
 * system clock with real containers on the local Docker engine (busybox images: `httpd` and
 * `sleep`; each node's DockerExecutor under its own scope), and every container is removed at
 * the end.
 *
 *   npm run demo [-- --seed 7]
 *   npm run demo -- --executor docker [--socket /var/run/docker.sock]
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Draft } from 'immer';
import { Cluster, type ServiceSpec } from 'flotilla';

/** How to run the demo. */
export interface DemoOptions {
  /** The simulated cluster's seed (default 7). */
  readonly seed?: number;
  /** `simulated` (default: virtual time) or `docker` (real containers, system clock). */
  readonly executor?: 'simulated' | 'docker';
  /** The Docker engine's socket (default: what dockerode picks, `/var/run/docker.sock`). */
  readonly socketPath?: string;
  /**
   * The prefix of the Docker executors' scopes (default `flotilla-demo-<random>`): node `N` runs
   * its containers under `<scope>-N`, and every container under the prefix is removed at the end.
   */
  readonly scope?: string;
}

/** What differs between the simulated and the real run: the cluster, the images, the update. */
interface Stage {
  readonly cluster: Cluster;
  readonly web: ServiceSpec;
  readonly agent: ServiceSpec;
  /** Changes web's spec for the rolling update; `rolledTo` names the change. */
  readonly roll: (spec: Draft<ServiceSpec>) => void;
  readonly rolledTo: string;
  /** Closes the cluster and whatever else the stage started (idempotent). */
  readonly close: () => Promise<void>;
}

function bar(running: number, desired: number, width = 20): string {
  const filled = desired === 0 ? width : Math.round((running / desired) * width);
  return `[${'#'.repeat(Math.min(width, filled))}${'.'.repeat(Math.max(0, width - filled))}] ${running}/${desired}`;
}

async function simulatedStage(seed: number): Promise<Stage> {
  const cluster = await Cluster.simulate({ seed, managers: 3, workers: 5 });
  return {
    cluster,
    web: {
      name: 'web',
      mode: { replicated: { replicas: 6 } },
      task: { container: { image: 'nginx:1.27' }, resources: { reservations: { memoryBytes: 256 * 2 ** 20 } } },
      update: { parallelism: 2, delay: '2s', order: 'start-first' },
    },
    agent: { name: 'agent', mode: { global: {} }, task: { container: { image: 'busybox', command: ['sleep', '1d'] } } },
    roll: (s) => {
      s.task.container.image = 'nginx:1.28';
    },
    rolledTo: 'nginx:1.28',
    close: () => cluster.close(),
  };
}

async function dockerStage(options: DemoOptions, log: (line: string) => void): Promise<Stage> {
  // dockerode is an optional peer dependency: only this path loads it.
  const { DockerExecutor, DOCKER_LABELS } = await import('flotilla/docker');
  const scope = options.scope ?? `flotilla-demo-${randomUUID().slice(0, 8)}`;
  const executors: InstanceType<typeof DockerExecutor>[] = [];
  const removeContainers = async (): Promise<number> => {
    const docker = executors[0]?.docker;
    if (docker === undefined) return 0;
    const all = await docker.listContainers({ all: true, filters: { label: [DOCKER_LABELS.scope] } });
    const mine = all.filter((c) => (c.Labels[DOCKER_LABELS.scope] ?? '').startsWith(`${scope}-`));
    await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    return mine.length;
  };
  let cluster: Cluster;
  try {
    cluster = await Cluster.create({
      managers: 3,
      workers: 5,
      // Real time: notice a crashed node within seconds, and give up on a wait after 45 s.
      heartbeatPeriod: '1s',
      timeout: '45s',
      executor: (ctx) => {
        const ex = new DockerExecutor({
          ...(options.socketPath !== undefined ? { socketPath: options.socketPath } : {}),
          scope: `${scope}-${ctx.hostname}`,
          hostname: ctx.hostname,
          clock: ctx.clock,
          pollIntervalMs: 1_000,
        });
        executors.push(ex);
        return ex;
      },
    });
  } catch (err) {
    for (const ex of executors) ex.close();
    await removeContainers().catch(() => 0);
    throw err;
  }
  let closed = false;
  // busybox ignores SIGTERM as PID 1, so a short grace period keeps stops quick.
  const container = (command: string[]) => ({ image: 'busybox', command, stopGracePeriod: '1s' });
  return {
    cluster,
    web: {
      name: 'web',
      mode: { replicated: { replicas: 6 } },
      task: { container: { ...container(['httpd', '-f', '-p', '8080']), env: ['VERSION=1'] } },
      update: { parallelism: 2, delay: '500ms', monitor: '1s', order: 'start-first' },
    },
    agent: { name: 'agent', mode: { global: {} }, task: { container: container(['sleep', '1d']) } },
    roll: (s) => {
      s.task.container.env = ['VERSION=2'];
    },
    rolledTo: 'VERSION=2',
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await cluster.close();
      } finally {
        for (const ex of executors) ex.close();
        log(`removed ${await removeContainers()} containers of ${scope}-*`);
      }
    },
  };
}

/** Runs the demo's story, printing through `log`. */
export async function main(log: (line: string) => void = console.log, options: DemoOptions = {}): Promise<void> {
  const stage = options.executor === 'docker' ? await dockerStage(options, log) : await simulatedStage(options.seed ?? 7);
  const { cluster } = stage;
  try {
    const t0 = cluster.clock.now();
    const t = () => `[${((cluster.clock.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
    const progress = () => {
      for (const s of cluster.services.list()) {
        const { running, desired } = cluster.services.replicas(s.spec.name);
        log(`${t()}   ${s.spec.name.padEnd(8)} ${bar(running, desired)}${s.updateStatus ? `  update: ${s.updateStatus.state}` : ''}`);
      }
    };
    cluster.on('leader-changed', (leader) => log(`${t()} leader: ${leader ?? '(none)'}`));
    cluster.on('node-down', (node) => log(`${t()} node ${node.spec.name ?? node.id} is down`));
    cluster.on('update-status', (svc, status) => log(`${t()} ${svc.spec.name}: update ${status.state}${status.message ? ` (${status.message})` : ''}`));

    log(`${t()} cluster up: ${cluster.managers.join(', ')} + ${cluster.workers.join(', ')}; leader ${cluster.leader ?? '?'}`);

    await cluster.services.create(stage.web);
    await cluster.services.create(stage.agent);
    await cluster.services.waitConverged('web');
    await cluster.services.waitConverged('agent');
    log(`${t()} deployed web (6 replicas) and agent (global)`);
    progress();

    const drained = cluster.workers[0] as string;
    await cluster.nodes.update(drained, { availability: 'drain' });
    await cluster.waitFor(() => cluster.tasks.list({ node: drained, state: 'running' }).length === 0, { waitingFor: `${drained} to drain` });
    await cluster.services.waitConverged('web');
    log(`${t()} drained ${drained}: its tasks moved to the other nodes`);
    progress();

    await cluster.services.update('web', (s) => stage.roll(s));
    await cluster.services.waitConverged('web');
    log(`${t()} rolled web to ${stage.rolledTo}`);
    progress();

    const old = cluster.leader as string;
    await cluster.crash(old);
    log(`${t()} crashed the leader ${old}`);
    await cluster.waitFor(() => cluster.leader !== undefined && cluster.leader !== old, { waitingFor: 'a new leader' });
    await cluster.services.scale('web', 8);
    await cluster.services.waitConverged('web');
    log(`${t()} new leader ${cluster.leader ?? '?'} scaled web to 8`);
    progress();

    const tasks = cluster.tasks.list({ service: 'web', desiredState: 'running' });
    const slots = new Set(tasks.map((x) => x.slot));
    log(`${t()} web runs ${tasks.length} tasks in ${slots.size} distinct slots, none on ${drained}: ${tasks.every((x) => cluster.nodes.inspect(x.nodeId).spec.name !== drained)}`);
  } finally {
    await stage.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const executor = arg('--executor') ?? 'simulated';
  if (executor !== 'simulated' && executor !== 'docker') throw new Error(`--executor must be simulated or docker, not ${executor}`);
  const socketPath = arg('--socket');
  await main(console.log, { seed: Number(arg('--seed') ?? 7), executor, ...(socketPath !== undefined ? { socketPath } : {}) });
}
