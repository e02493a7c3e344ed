/**
 * Services on the real engine through the Cluster facade (real clock): replicas become
 * containers with Swarm's names and labels, host-mode ports answer, a killed container is
 * replaced, limits reach the engine, and removing the service leaves no container. Each test runs
 * its own cluster, concurrently with the others.
 */
import { it } from 'vitest';
import { dockerCluster } from './cluster-support.js';
import { docker, dockerSuite, eventually, fileScope, freePort, httpGet } from './support.js';

const scope = fileScope('services');
let clusters = 0;
const next = (): string => `${scope}-${++clusters}`;

/** Fast replacement after a failure (Docker's default restart delay is 5 s). */
const QUICK_RESTART = { condition: 'any', delay: '100ms' } as const;

dockerSuite(
  'Flotilla services on the real engine',
  () => {
    it('runs a replicated service as one container per replica, named and labelled as Swarm does', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const { cluster } = dc;
        const svc = await cluster.services.create({ name: 'sleepers', mode: { replicated: { replicas: 3 } }, task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' } } });
        await cluster.services.waitConverged('sleepers');
        const tasks = dc.runningTasks('sleepers');
        expect(tasks.map((t) => t.slot).sort()).toEqual([1, 2, 3]);
        const running = await dc.running('sleepers');
        expect(running).toHaveLength(3);
        const node = cluster.nodes.list()[0];
        for (const t of tasks) {
          const c = running.find((r) => r.Config.Labels['com.docker.swarm.task.id'] === t.id);
          expect(c?.Name).toBe(`/sleepers.${t.slot}.${t.id}`);
          expect(c?.Config.Labels).toMatchObject({
            'com.docker.swarm.service.name': 'sleepers',
            'com.docker.swarm.service.id': svc.id,
            'com.docker.swarm.task.name': `sleepers.${t.slot}.${t.id}`,
            'com.docker.swarm.node.id': node?.id,
          });
          expect(t.status.containerId).toBe(c?.Id);
        }
      } finally {
        await dc.close();
      }
    });

    it('publishes a host-mode port where the busybox httpd answers', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const port = await freePort();
        await dc.cluster.services.create({
          name: 'web',
          task: { container: { image: 'busybox', command: ['httpd', '-f', '-p', '8080', '-h', '/www'], stopGracePeriod: '1s' } },
          endpoint: { ports: [{ targetPort: 8080, publishedPort: port, publishMode: 'host' }] },
        });
        await dc.cluster.services.waitConverged('web');
        await expect.poll(() => httpGet(port).catch(() => ''), { timeout: 10_000 }).toBe('hello from flotilla\n');
        const [t] = dc.runningTasks('web');
        expect(t?.status.portStatus).toEqual([expect.objectContaining({ targetPort: 8080, publishedPort: port, publishMode: 'host' })]);
      } finally {
        await dc.close();
      }
    });

    it('replaces a task whose container is killed with docker kill', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const { cluster } = dc;
        await cluster.services.create({ name: 'victim', mode: { replicated: { replicas: 2 } }, task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' }, restartPolicy: QUICK_RESTART } });
        await cluster.services.waitConverged('victim');
        const [doomed] = dc.runningTasks('victim');
        if (doomed?.status.containerId === undefined) throw new Error('no running task with a container');
        await docker.getContainer(doomed.status.containerId).kill();
        await cluster.waitFor(() => cluster.tasks.inspect(doomed.id).status.state === 'failed', { waitingFor: 'the killed task to fail' });
        expect(cluster.tasks.inspect(doomed.id).status).toMatchObject({ state: 'failed', exitCode: 137 });
        await cluster.waitFor(() => dc.runningTasks('victim').length === 2 && dc.runningTasks('victim').every((t) => t.id !== doomed.id), {
          waitingFor: 'a replacement task',
        });
        const replacement = dc.runningTasks('victim').find((t) => t.slot === doomed.slot);
        expect(replacement).toBeDefined();
        await eventually(async () => (await dc.running('victim')).length === 2, 10_000, 'two running containers');
        expect((await dc.running('victim')).map((c) => c.Id)).toContain(replacement?.status.containerId);
      } finally {
        await dc.close();
      }
    });

    it('applies memory and CPU limits to the containers', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        await dc.cluster.services.create({
          name: 'limited',
          task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' }, resources: { limits: { memoryBytes: 32 * 2 ** 20, nanoCpus: 0.25e9 } } },
        });
        await dc.cluster.services.waitConverged('limited');
        const [c] = await dc.running('limited');
        expect(c?.HostConfig).toMatchObject({ Memory: 32 * 2 ** 20, NanoCpus: 0.25e9 });
      } finally {
        await dc.close();
      }
    });

    it('leaves no container behind when the service is removed', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        await dc.cluster.services.create({ name: 'doomed', mode: { replicated: { replicas: 2 } }, task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' } } });
        await dc.cluster.services.waitConverged('doomed');
        expect(await dc.running('doomed')).toHaveLength(2);
        await dc.cluster.services.remove('doomed');
        await eventually(async () => (await dc.containers('doomed')).length === 0, 20_000, 'every container of the removed service to be gone');
        await dc.cluster.waitFor(() => dc.cluster.tasks.list().length === 0, { waitingFor: 'the tasks to be deleted' });
      } finally {
        await dc.close();
      }
    });
  },
  { concurrent: true },
);
