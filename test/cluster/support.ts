import { afterEach } from 'vitest';
import { Cluster, type SimulateOptions, type SimulatedCluster } from '../../src/cluster/index.js';
import { ClusterInvariants } from '../../src/testing/cluster/index.js';
import type { ServiceSpec, Task } from '../../src/api/index.js';

const open: { cluster: SimulatedCluster; invariants: ClusterInvariants }[] = [];

/**
 * A simulated cluster whose invariants are checked on every commit and asserted (and which is
 * closed) after the test. The seed comes from SEED when set, so a failing run replays.
 */
export async function simulate(options: SimulateOptions = {}): Promise<SimulatedCluster> {
  const seed = process.env.SEED !== undefined ? Number(process.env.SEED) : (options.seed ?? 1);
  const cluster = await Cluster.simulate({ ...options, seed });
  const invariants = ClusterInvariants.watch(cluster);
  open.push({ cluster, invariants });
  return cluster;
}

afterEach(async () => {
  const all = open.splice(0);
  for (const { cluster, invariants } of all) {
    invariants.stop();
    await cluster.close();
    invariants.assert();
  }
});

/** A replicated service spec. */
export function replicated(name: string, replicas: number, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return { name, mode: { replicated: { replicas } }, task: { container: { image: 'busybox', command: ['sleep', '1d'] } }, ...extra };
}

/** Running tasks (desired running) of a service. */
export function running(cluster: SimulatedCluster, service: string): readonly Task[] {
  return cluster.tasks.list({ service, desiredState: 'running' }).filter((t) => t.status.state === 'running');
}
