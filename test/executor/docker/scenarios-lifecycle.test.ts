/**
 * Task lifecycles on the real engine through the Cluster facade (real clock): draining a node,
 * a start-first rolling update, a failing healthcheck, an image that does not exist, and an agent
 * restart that adopts its containers. Each test runs its own cluster, concurrently.
 */
import { it } from 'vitest';
import { taskStateOrder } from '../../../src/api/index.js';
import { dockerCluster } from './cluster-support.js';
import { dockerSuite, eventually, fileScope, sleep } from './support.js';

const scope = fileScope('lifecycle');
let clusters = 0;
const next = (): string => `${scope}-${++clusters}`;

const QUICK_RESTART = { condition: 'any', delay: '100ms' } as const;

dockerSuite(
  'Flotilla task lifecycles on the real engine',
  () => {
    it('stops the containers of a drained node', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const { cluster } = dc;
        await cluster.services.create({ name: 'drainme', mode: { replicated: { replicas: 2 } }, task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' } } });
        await cluster.services.waitConverged('drainme');
        expect(await dc.running('drainme')).toHaveLength(2);
        const drained = dc.runningTasks('drainme').map((t) => t.id);
        const node = cluster.nodes.list()[0];
        await cluster.nodes.update(node?.id ?? '', { availability: 'drain' });
        await cluster.waitFor(() => drained.every((id) => cluster.tasks.inspect(id).status.state === 'shutdown'), { waitingFor: 'the drained tasks to be shut down' });
        await eventually(async () => (await dc.running('drainme')).length === 0, 10_000, 'no running container on the drained node');
        expect(dc.runningTasks('drainme')).toHaveLength(0);
        // Their replacements wait for a node: there is no other.
        expect(cluster.tasks.list({ service: 'drainme', desiredState: 'running' }).map((t) => t.status.state)).toEqual(['pending', 'pending']);
      } finally {
        await dc.close();
      }
    });

    it('replaces every container in a start-first rolling update of the command', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const { cluster } = dc;
        await cluster.services.create({
          name: 'rolling',
          mode: { replicated: { replicas: 3 } },
          task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' } },
          update: { order: 'start-first', parallelism: 1, monitor: '200ms' },
        });
        await cluster.services.waitConverged('rolling');
        const before = new Set((await dc.running('rolling')).map((c) => c.Id));
        expect(before.size).toBe(3);
        await cluster.services.update('rolling', (s) => {
          s.task.container.command = ['sleep', '2d'];
        });
        await cluster.services.waitConverged('rolling');
        await eventually(async () => (await dc.running('rolling')).length === 3, 10_000, 'three running containers after the update');
        const after = await dc.running('rolling');
        for (const c of after) {
          expect(before.has(c.Id)).toBe(false);
          expect(c.Config.Entrypoint).toEqual(['sleep', '2d']);
        }
        expect(cluster.services.inspect('rolling').updateStatus?.state).toBe('completed');
      } finally {
        await dc.close();
      }
    });

    it('replaces a task whose healthcheck fails, reporting it unhealthy', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const { cluster } = dc;
        await cluster.services.create({
          name: 'sickly',
          task: {
            container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s', healthcheck: { test: ['CMD', 'false'], interval: '200ms', timeout: '1s', retries: 1 } },
            restartPolicy: QUICK_RESTART,
          },
        });
        await cluster.waitFor(() => cluster.tasks.list({ service: 'sickly' }).some((t) => t.status.state === 'failed'), { waitingFor: 'an unhealthy task to fail' });
        const failed = cluster.tasks.list({ service: 'sickly' }).find((t) => t.status.state === 'failed');
        expect(failed?.status.err).toMatch(/unhealthy/);
        await cluster.waitFor(() => cluster.tasks.list({ service: 'sickly' }).some((t) => t.id !== failed?.id && taskStateOrder(t.status.state) >= taskStateOrder('starting')), {
          waitingFor: 'a replacement task to start',
        });
        await eventually(async () => (await dc.containers('sickly')).some((c) => c.Config.Labels['com.docker.swarm.task.id'] !== failed?.id), 10_000, 'a replacement container');
        const old = (await dc.containers('sickly')).find((c) => c.Config.Labels['com.docker.swarm.task.id'] === failed?.id);
        if (old !== undefined) expect(old.State.Running).toBe(false);
      } finally {
        await dc.close();
      }
    });

    it("rejects a task whose image does not exist, with Docker's error in its status", async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const { cluster } = dc;
        await cluster.services.create({ name: 'ghost', task: { container: { image: 'flotilla-test/missing-image:1', command: ['true'] }, restartPolicy: { condition: 'none' } } });
        await cluster.waitFor(() => cluster.tasks.list({ service: 'ghost' }).some((t) => t.status.state === 'rejected'), { waitingFor: 'the task to be rejected' });
        const [t] = cluster.tasks.list({ service: 'ghost' });
        expect(t?.status.err).toMatch(/^No such image: flotilla-test\/missing-image:1/);
        expect(t?.status.message).toContain('No such image');
        expect(await dc.containers('ghost')).toHaveLength(0);
      } finally {
        await dc.close();
      }
    });

    it('adopts its running containers after the agent restarts, without starting duplicates', async ({ expect }) => {
      const dc = await dockerCluster(next());
      try {
        const { cluster } = dc;
        await cluster.services.create({ name: 'steady', mode: { replicated: { replicas: 3 } }, task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' } } });
        await cluster.services.waitConverged('steady');
        const before = await dc.running('steady');
        const tasksBefore = dc.runningTasks('steady').map((t) => t.id).sort();
        // Restart only the node's agent (the Cluster facade's internal handle: see the report).
        const record = cluster.record(cluster.managers[0] ?? '');
        await record.process.stop();
        cluster.startAgent(record);
        await cluster.waitFor(() => record.process.running && cluster.nodes.inspect(record.nodeId).status.state === 'ready', { waitingFor: 'the agent to reconnect' });
        // Give the new agent time to receive its assignments and adopt (or, wrongly, restart) them.
        await sleep(1_500);
        await cluster.services.waitConverged('steady');
        const after = await dc.containers('steady');
        expect(after).toHaveLength(3);
        expect(after.map((c) => c.Id).sort()).toEqual(before.map((c) => c.Id).sort());
        for (const c of after) {
          const was = before.find((b) => b.Id === c.Id);
          expect(c.State.Running).toBe(true);
          expect(c.State.StartedAt).toBe(was?.State.StartedAt);
        }
        expect(dc.runningTasks('steady').map((t) => t.id).sort()).toEqual(tasksBefore);
      } finally {
        await dc.close();
      }
    });
  },
  { concurrent: true },
);
