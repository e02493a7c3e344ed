/**
 * A real-clock Cluster whose nodes run their tasks on the real engine through DockerExecutor,
 * each node under its own scope (`<cluster scope>-<hostname>`), for the scenario tests.
 */
import type Docker from 'dockerode';
import type { Task } from '../../../src/api/index.js';
import { Cluster, type ClusterOptions } from '../../../src/cluster/index.js';
import { DockerExecutor } from '../../../src/executor/docker/index.js';
import { containersOf, removeScope, SOCKET_PATH } from './support.js';

export interface DockerCluster {
  readonly cluster: Cluster;
  readonly scope: string;
  /** The scope of a node's executor. */
  scopeOf(hostname: string): string;
  /** The containers of a service on every node (any state), inspected. */
  containers(service: string): Promise<Docker.ContainerInspectInfo[]>;
  /** The running containers of a service. */
  running(service: string): Promise<Docker.ContainerInspectInfo[]>;
  /** The tasks of a service that should run and do. */
  runningTasks(service: string): Task[];
  /** Closes the cluster and the executors, and removes every container of the cluster. */
  close(): Promise<void>;
}

export async function dockerCluster(scope: string, options: ClusterOptions = {}): Promise<DockerCluster> {
  const executors = new Map<string, DockerExecutor>();
  const scopeOf = (hostname: string): string => `${scope}-${hostname}`;
  const cluster = await Cluster.create({
    managers: 1,
    workers: 0,
    timeout: '30s',
    ...options,
    executor: (ctx) => {
      const ex = new DockerExecutor({ socketPath: SOCKET_PATH, scope: scopeOf(ctx.hostname), hostname: ctx.hostname, pollIntervalMs: 1_000 });
      executors.set(ctx.hostname, ex);
      return ex;
    },
  });
  const containers = async (service: string): Promise<Docker.ContainerInspectInfo[]> => {
    const out: Docker.ContainerInspectInfo[] = [];
    for (const hostname of executors.keys()) out.push(...(await containersOf(scopeOf(hostname), [`com.docker.swarm.service.name=${service}`])));
    return out;
  };
  return {
    cluster,
    scope,
    scopeOf,
    containers,
    running: async (service) => (await containers(service)).filter((c) => c.State.Running),
    runningTasks: (service) => cluster.tasks.list({ service, desiredState: 'running' }).filter((t) => t.status.state === 'running'),
    close: async () => {
      await cluster.close();
      for (const ex of executors.values()) ex.close();
      await removeScope(scope);
    },
  };
}
