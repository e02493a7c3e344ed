/**
 * `cluster.services.logs`: `docker service logs` on a simulated cluster, under virtual time. The
 * simulated executor writes what the command echoes, plus `[simulated] started/exited` lines on
 * stderr.
 */
import { describe, expect, it } from 'vitest';
import { ClosedError, FlotillaError, NotFoundError, ValidationError } from '../../src/errors/index.js';
import type { ServiceLogLine } from '../../src/cluster/index.js';
import type { LogLine } from '../../src/executor/index.js';
import type { SimulatedCluster } from '../../src/cluster/index.js';
import { replicated, running, simulate } from './support.js';

const TICKER = ['sh', '-c', 'while true; do echo tick; sleep 1; done'];

async function collect(lines: AsyncIterable<ServiceLogLine>): Promise<ServiceLogLine[]> {
  const out: ServiceLogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

const stdout = (lines: readonly ServiceLogLine[]): ServiceLogLine[] => lines.filter((l) => l.stream === 'stdout');

/** Counts the log streams each node's executor opened and how many were closed (returned or ended). */
function trackStreams(cluster: SimulatedCluster): { open: () => number; opened: () => number } {
  let opened = 0;
  let closed = 0;
  for (const node of [...cluster.managers, ...cluster.workers]) {
    const executor = cluster.simulated(node);
    const logs = executor.logs.bind(executor);
    executor.logs = (task, options) => {
      const inner = logs(task, options)[Symbol.asyncIterator]();
      opened++;
      let done = false;
      const end = (): void => {
        if (!done) closed++;
        done = true;
      };
      const it: AsyncIterableIterator<LogLine> = {
        next: async () => {
          const r = await inner.next();
          if (r.done === true) end();
          return r;
        },
        return: async () => {
          end();
          return (await inner.return?.()) ?? { value: undefined, done: true };
        },
        [Symbol.asyncIterator]: () => it,
      };
      return it;
    };
  }
  return { open: () => opened - closed, opened: () => opened };
}

describe('service logs on a simulated cluster', () => {
  it("merges every task's lines in time order, prefixed as docker service logs prints them", async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create({ ...replicated('web', 3), task: { container: { image: 'busybox', command: ['sh', '-c', 'echo hello; sleep 2; echo bye; sleep 1d'] } } });
    await cluster.services.waitConverged('web');
    await cluster.advance('5s');
    const lines = await collect(cluster.services.logs('web'));
    const tasks = running(cluster, 'web');
    const out = stdout(lines);
    expect(out).toHaveLength(6);
    expect(out.map((l) => l.line).sort()).toEqual(['bye', 'bye', 'bye', 'hello', 'hello', 'hello']);
    expect(lines.map((l) => l.timestamp)).toEqual([...lines.map((l) => l.timestamp)].sort((a, b) => a - b));
    for (const t of tasks) {
      const node = cluster.nodes.inspect(t.nodeId).spec.name ?? '';
      const mine = out.filter((l) => l.taskId === t.id);
      expect(mine.map((l) => l.line)).toEqual(['hello', 'bye']);
      expect(mine[0]).toMatchObject({
        serviceName: 'web',
        serviceId: t.serviceId,
        taskName: `web.${t.slot}.${t.id}`,
        slot: t.slot,
        nodeId: t.nodeId,
        node,
        stream: 'stdout',
        text: `web.${t.slot}.${t.id.slice(0, 12)}@${node}    | hello`,
      });
    }
    expect(lines.some((l) => l.stream === 'stderr' && l.line.startsWith('[simulated] started busybox'))).toBe(true);
  });

  it('applies tail per task, since as a duration or a time, and prefixes RFC 3339 timestamps', async () => {
    const cluster = await simulate({ managers: 1, workers: 1 });
    await cluster.services.create({ ...replicated('web', 2), task: { container: { image: 'busybox', command: ['sh', '-c', 'echo a; sleep 10; echo b; sleep 10; echo c; sleep 1d'] } } });
    await cluster.services.waitConverged('web');
    await cluster.advance('25s');
    const tail = await collect(cluster.services.logs('web', { tail: 1 }));
    expect(tail.map((l) => l.line)).toEqual(['c', 'c']);
    const recent = stdout(await collect(cluster.services.logs('web', { since: '15s' })));
    expect(recent.map((l) => l.line)).toEqual(['c', 'c']);
    const all = stdout(await collect(cluster.services.logs('web')));
    const bs = all.filter((l) => l.line === 'b').map((l) => l.timestamp);
    expect(stdout(await collect(cluster.services.logs('web', { since: new Date(Math.min(...bs)) }))).map((l) => l.line)).toEqual(['b', 'b', 'c', 'c']);
    expect(stdout(await collect(cluster.services.logs('web', { since: Math.max(...bs) + 1 }))).map((l) => l.line)).toEqual(['c', 'c']);
    const [stamped] = await collect(cluster.services.logs('web', { tail: 1, timestamps: true }));
    const iso = new Date(stamped?.timestamp ?? 0).toISOString().replace('Z', '000000Z');
    expect(stamped?.text).toBe(`${iso} web.${stamped?.slot}.${stamped?.taskId.slice(0, 12)}@${stamped?.node}    | c`);
  });

  it('pads the prefix so the bars of one node line up across slots of different widths', async () => {
    const cluster = await simulate({ managers: 1, workers: 0 });
    await cluster.services.create({ ...replicated('wide', 10), task: { container: { image: 'busybox', command: ['sh', '-c', 'echo x; sleep 1d'] } } });
    await cluster.services.waitConverged('wide');
    const lines = stdout(await collect(cluster.services.logs('wide')));
    expect(lines).toHaveLength(10);
    expect(new Set(lines.map((l) => l.text.indexOf('|'))).size).toBe(1);
    expect(lines.find((l) => l.slot === 1)?.text).toMatch(/^wide\.1\.[a-z0-9]{12}@manager-1 {5}\| x$/);
  });

  it('follows new lines, and tasks that start later, until the loop is left, which closes every stream', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    const streams = trackStreams(cluster);
    await cluster.services.create({ ...replicated('ticker', 2), task: { container: { image: 'busybox', command: TICKER } } });
    await cluster.services.waitConverged('ticker');
    const seen: ServiceLogLine[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const following = (async () => {
      for await (const l of cluster.services.logs('ticker', { follow: true, tail: 0 })) {
        seen.push(l);
        if (seen.length >= stopAt) break;
      }
    })();
    await cluster.advance('3500ms');
    const ticks = () => seen.filter((l) => l.line === 'tick');
    expect(ticks().length).toBeGreaterThanOrEqual(6);
    expect(new Set(ticks().map((l) => l.slot))).toEqual(new Set([1, 2]));
    expect(streams.open()).toBe(2);

    await cluster.services.scale('ticker', 3);
    await cluster.services.waitConverged('ticker');
    await cluster.advance('2s');
    expect(ticks().some((l) => l.slot === 3)).toBe(true);
    expect(streams.open()).toBe(3);

    stopAt = seen.length + 1;
    await cluster.advance('2s');
    await following;
    expect(streams.open()).toBe(0);
    const count = seen.length;
    await cluster.advance('5s');
    expect(seen).toHaveLength(count);
  });

  it('follows a rolling update: the old tasks end and the new ones are picked up', async () => {
    const cluster = await simulate({ managers: 1, workers: 1 });
    await cluster.services.create({ ...replicated('roll', 1), task: { container: { image: 'busybox', command: ['sh', '-c', 'echo v1; sleep 1d'], stopGracePeriod: '1s' } } });
    await cluster.services.waitConverged('roll');
    const seen: string[] = [];
    const following = (async () => {
      for await (const l of cluster.services.logs('roll', { follow: true })) {
        if (l.stream === 'stdout') seen.push(l.line);
        if (l.line === 'v2') break;
      }
    })();
    await cluster.services.update('roll', (s) => {
      s.task.container.command = ['sh', '-c', 'echo v2; sleep 1d'];
    });
    await cluster.services.waitConverged('roll');
    await cluster.advance('1s');
    await following;
    expect(seen).toEqual(['v1', 'v2']);
  });

  it('ends a follow when the cluster closes, and when the service is removed and its output ended', async () => {
    const cluster = await simulate({ managers: 1, workers: 1 });
    const streams = trackStreams(cluster);
    await cluster.services.create({ ...replicated('a', 1), task: { container: { image: 'busybox', command: TICKER, stopGracePeriod: '1s' } } });
    await cluster.services.create({ ...replicated('b', 1), task: { container: { image: 'busybox', command: TICKER, stopGracePeriod: '1s' } } });
    await cluster.services.waitConverged('a');
    await cluster.services.waitConverged('b');
    let aEnded = false;
    let bEnded = false;
    const a = collect(cluster.services.logs('a', { follow: true })).then((l) => {
      aEnded = true;
      return l;
    });
    const b = collect(cluster.services.logs('b', { follow: true })).then((l) => {
      bEnded = true;
      return l;
    });
    await cluster.advance('2s');
    await cluster.services.remove('a');
    await cluster.waitFor(() => aEnded, { waitingFor: 'the follow of a removed service to end' });
    expect((await a).at(-1)?.line).toMatch(/^\[simulated\] exited/);
    expect(bEnded).toBe(false);
    await cluster.close();
    const lines = await b;
    expect(lines.filter((l) => l.line === 'tick').length).toBeGreaterThan(0);
    expect(streams.open()).toBe(0);
  });

  it('leaves out the tasks of a crashed node', async () => {
    const cluster = await simulate({ managers: 1, workers: 2, nodes: [{}, { hostname: 'w1' }, { hostname: 'w2' }] });
    await cluster.services.create({ name: 'agent', mode: { global: {} }, task: { container: { image: 'busybox', command: ['sh', '-c', 'echo up; sleep 1d'] } } });
    await cluster.services.waitConverged('agent');
    expect(new Set(stdout(await collect(cluster.services.logs('agent'))).map((l) => l.node))).toEqual(new Set(['manager-1', 'w1', 'w2']));
    const global = stdout(await collect(cluster.services.logs('agent')))[0] as ServiceLogLine;
    expect(global.text).toBe(`agent.0.${global.taskId.slice(0, 12)}@${global.node}    | up`);
    await cluster.crash('w2');
    expect(new Set(stdout(await collect(cluster.services.logs('agent'))).map((l) => l.node))).toEqual(new Set(['manager-1', 'w1']));
  });

  it('throws typed errors: unknown service, bad options, closed cluster, and a failing executor', async () => {
    const cluster = await simulate({ managers: 1 });
    expect(() => cluster.services.logs('nope')).toThrow(NotFoundError);
    await cluster.services.create({ ...replicated('web', 2), task: { container: { image: 'busybox', command: TICKER } } });
    await cluster.services.waitConverged('web');
    expect(() => cluster.services.logs('web', { tail: -1 })).toThrow(ValidationError);
    expect(() => cluster.services.logs('web', { tail: 1.5 })).toThrow(/tail: must be an integer >= 0/);
    expect(() => cluster.services.logs('web', { since: 'yesterday-ish' })).toThrow(ValidationError);

    const executor = cluster.simulated('manager-1');
    const [first] = running(cluster, 'web');
    const logs = executor.logs.bind(executor);
    executor.logs = (task, options) => {
      if (task.id !== first?.id) return logs(task, options);
      const it: AsyncIterableIterator<LogLine> = {
        next: () => Promise.reject(new Error('disk on fire')),
        [Symbol.asyncIterator]: () => it,
      };
      return it;
    };
    const failure = await collect(cluster.services.logs('web', { follow: true })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(FlotillaError);
    expect(failure).toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining('disk on fire') });
    await expect(collect(cluster.services.logs('web'))).rejects.toThrow(/disk on fire/);

    await cluster.close();
    expect(() => cluster.services.logs('web')).toThrow(ClosedError);
  });
});
