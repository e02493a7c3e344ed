/**
 * `cluster.services.logs` on the real engine (real clock): the output of every task's container,
 * on every node, prefixed as `docker service logs` prints it; following picks up new lines and
 * new tasks, and leaving the loop (or closing the cluster) ends the engine's log streams. Each
 * test runs its own cluster, concurrently with the others.
 */
import { it } from 'vitest';
import type { Cluster, ServiceLogLine } from '../../../src/cluster/index.js';
import type { LogLine } from '../../../src/executor/index.js';
import { NotFoundError } from '../../../src/errors/index.js';
import { dockerCluster } from './cluster-support.js';
import { dockerSuite, eventually, fileScope, within } from './support.js';

const scope = fileScope('logs');
let clusters = 0;
const next = (): string => `${scope}-${++clusters}`;

async function collect(lines: AsyncIterable<ServiceLogLine>): Promise<ServiceLogLine[]> {
  const out: ServiceLogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

/** Counts the engine log streams the nodes' executors have open (opened, not yet ended or returned). */
function trackStreams(cluster: Cluster): () => number {
  let open = 0;
  for (const node of [...cluster.managers, ...cluster.workers]) {
    const executor = cluster.executor(node);
    const logs = executor.logs?.bind(executor);
    if (logs === undefined) continue;
    executor.logs = (task, options) => ({
      [Symbol.asyncIterator]: () => {
        const inner = logs(task, options)[Symbol.asyncIterator]();
        open++;
        let ended = false;
        const end = (): void => {
          if (!ended) open--;
          ended = true;
        };
        return {
          next: async () => {
            const r = await inner.next();
            if (r.done === true) end();
            return r;
          },
          return: async (): Promise<IteratorResult<LogLine>> => {
            const r = (await inner.return?.()) ?? { value: undefined, done: true };
            end();
            return r;
          },
        };
      },
    });
  }
  return () => open;
}

dockerSuite(
  'Flotilla service logs on the real engine',
  () => {
    it("reads every task's stdout and stderr on every node, prefixed with the task and node", async ({ expect }) => {
      const dc = await dockerCluster(next(), { managers: 1, workers: 1 });
      try {
        const { cluster } = dc;
        expect(() => cluster.services.logs('nope')).toThrow(NotFoundError);
        await cluster.services.create({
          name: 'talker',
          mode: { replicated: { replicas: 2 } },
          task: { container: { image: 'busybox', command: ['sh', '-c', 'echo hello; echo oops >&2; exec sleep 1d'], stopGracePeriod: '1s' }, placement: { maxReplicas: 1 } },
        });
        await cluster.services.waitConverged('talker');
        let lines: ServiceLogLine[] = [];
        await eventually(async () => (lines = await collect(cluster.services.logs('talker'))).length === 4, 10_000, 'two lines from each task');
        const tasks = dc.runningTasks('talker');
        expect(new Set(lines.map((l) => l.node))).toEqual(new Set(['manager-1', 'worker-1']));
        for (const t of tasks) {
          const node = t.nodeId === cluster.nodes.inspect('manager-1').id ? 'manager-1' : 'worker-1';
          const mine = lines.filter((l) => l.taskId === t.id);
          expect(mine.map((l) => [l.stream, l.line]).sort()).toEqual([
            ['stderr', 'oops'],
            ['stdout', 'hello'],
          ]);
          expect(mine.find((l) => l.stream === 'stdout')?.text).toBe(`talker.${t.slot}.${t.id.slice(0, 12)}@${node}    | hello`);
          expect(mine[0]).toMatchObject({ serviceName: 'talker', taskName: `talker.${t.slot}.${t.id}`, nodeId: t.nodeId, node });
        }
        // Docker's timestamps, in order across the tasks.
        expect(lines.map((l) => l.timestamp)).toEqual([...lines.map((l) => l.timestamp)].sort((a, b) => a - b));
        expect(Math.abs((lines[0]?.timestamp ?? 0) - Date.now())).toBeLessThan(60_000);
        const stamped = await collect(cluster.services.logs('talker', { tail: 1, timestamps: true }));
        expect(stamped).toHaveLength(2);
        for (const l of stamped) expect(l.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z talker\.\d\.[a-z0-9]{12}@(manager|worker)-1 {4}\| (hello|oops)$/);
        expect(await collect(cluster.services.logs('talker', { since: Date.now() + 60_000 }))).toEqual([]);
      } finally {
        await dc.close();
      }
    });

    it('follows new lines and new tasks until the loop is left, which ends the streams', async ({ expect }) => {
      const dc = await dockerCluster(next(), { managers: 1, workers: 1 });
      try {
        const { cluster } = dc;
        const ticker = { image: 'busybox', command: ['sh', '-c', 'while true; do echo tick; sleep 0.2; done'], stopGracePeriod: '1s' };
        await cluster.services.create({ name: 'ticker', mode: { replicated: { replicas: 1 } }, task: { container: ticker } });
        await cluster.services.waitConverged('ticker');
        const openStreams = trackStreams(cluster);
        const seen: ServiceLogLine[] = [];
        let scaled = false;
        const following = (async () => {
          for await (const l of cluster.services.logs('ticker', { follow: true, tail: 0 })) {
            seen.push(l);
            if (!scaled && seen.length === 3) {
              scaled = true;
              void cluster.services.scale('ticker', 2);
            }
            if (seen.filter((s) => s.slot === 2).length >= 3) break;
          }
        })();
        await within(following, 30_000, 'following until the new task has written three lines');
        expect(seen.every((l) => l.line === 'tick')).toBe(true);
        expect(new Set(seen.map((l) => l.slot))).toEqual(new Set([1, 2]));
        expect(openStreams()).toBe(0);
        // The loop is over: nothing more arrives although the containers keep writing.
        const count = seen.length;
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(seen).toHaveLength(count);
      } finally {
        await dc.close();
      }
    });

    it('ends a follow when the cluster closes', async ({ expect }) => {
      const dc = await dockerCluster(next());
      let closed = false;
      try {
        const { cluster } = dc;
        await cluster.services.create({ name: 'quiet', task: { container: { image: 'busybox', command: ['sleep', '1d'], stopGracePeriod: '1s' } } });
        await cluster.services.waitConverged('quiet');
        const openStreams = trackStreams(cluster);
        const following = collect(cluster.services.logs('quiet', { follow: true }));
        await eventually(() => openStreams() === 1, 5_000, 'the engine log stream to open');
        await dc.close();
        closed = true;
        expect(await within(following, 5_000, 'the follow to end')).toEqual([]);
        expect(openStreams()).toBe(0);
      } finally {
        if (!closed) await dc.close();
      }
    });
  },
  { concurrent: true },
);
