/** Logs: what the process writes plus start/exit lines; follow streams on the clock. */
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/executor/index.js';
import { simNode, T0 } from './support.js';

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

describe('simulated logs', () => {
  it('has the [simulated] start and exit lines on stderr and the output with timestamps', async () => {
    const node = simNode('logs');
    const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', 'echo one; sleep 2; echo two >&2; exit 3'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    await node.settle(ctl.wait());
    const lines = await collect(node.executor.logs(ctl.task, {}));
    expect(lines.map((l) => [l.timestamp - T0, l.stream, l.line])).toEqual([
      [0, 'stderr', '[simulated] started busybox sh -c echo one; sleep 2; echo two >&2; exit 3'],
      [0, 'stdout', 'one'],
      [2_000, 'stderr', 'two'],
      [2_000, 'stderr', '[simulated] exited with code 3'],
    ]);
    expect(lines.every((l) => l.taskId === ctl.task.id)).toBe(true);
  });

  it('follows on the clock and ends when the container exits', async () => {
    const node = simNode('follow');
    const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', 'i=0; while true; do echo tick; sleep 1; done'] }, serviceName: 'ticker' }));
    node.executor.setBehaviour({ service: 'ticker' }, { crashAfter: '3500ms' });
    await node.settle(ctl.prepare());
    const seen: string[] = [];
    const following = (async () => {
      for await (const l of node.executor.logs(ctl.task, { follow: true })) seen.push(l.line);
    })();
    await node.settle(ctl.start());
    await node.clock.advanceAsync('1500ms');
    expect(seen.filter((l) => l === 'tick')).toHaveLength(2);
    await node.clock.advanceAsync('10s');
    await following;
    expect(seen.filter((l) => l === 'tick')).toHaveLength(4);
    expect(seen.at(-1)).toBe('[simulated] exited with code 1');
  });

  it('applies tail and since', async () => {
    const node = simNode('tail');
    const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', 'echo a; sleep 1; echo b; sleep 1; echo c'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    await node.settle(ctl.wait());
    const stdout = (ls: LogLine[]) => ls.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect((await collect(node.executor.logs(ctl.task, { tail: 2 }))).map((l) => l.line)).toEqual(['c', '[simulated] exited with code 0']);
    expect(stdout(await collect(node.executor.logs(ctl.task, { since: T0 + 1_000 })))).toEqual(['b', 'c']);
    expect(await collect(node.executor.logs(ctl.task, { tail: 0 }))).toEqual([]);
  });

  it('keeps at most maxLogLines lines per container', async () => {
    const node = simNode('bound', { maxLogLines: 10 });
    const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', 'while true; do echo x; done'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    await node.clock.advanceAsync(20);
    const lines = await collect(node.executor.logs(ctl.task, {}));
    expect(lines.filter((l) => l.stream === 'stdout')).toHaveLength(10);
    expect(lines[0]?.line).toBe('[simulated] started busybox sh -c while true; do echo x; done');
    await node.settle(ctl.terminate());
  });

  it('with maxLogLines 0 keeps no output but still reports the start and exit', async () => {
    const node = simNode('no-logs', { maxLogLines: 0 });
    const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', 'echo hi; exit 2'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    await node.settle(ctl.wait());
    expect((await collect(node.executor.logs(ctl.task, {}))).map((l) => l.line)).toEqual(['[simulated] started busybox sh -c echo hi; exit 2', '[simulated] exited with code 2']);
  });

  it('lets a follower stop early, even while it waits for a line', async () => {
    const node = simNode('return');
    const ctl = node.executor.controller(node.task({ container: { command: ['sleep', '1000'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    const it = node.executor.logs(ctl.task, { follow: true })[Symbol.asyncIterator]();
    expect((await it.next()).value?.line).toMatch(/^\[simulated\] started/);
    const pending = it.next();
    await it.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('ends a follower when the container is removed; a task without a container has no lines', async () => {
    const node = simNode('removed');
    const ctl = node.executor.controller(node.task({ container: { command: ['sleep', '1000'] } }));
    expect(await collect(node.executor.logs(ctl.task, { follow: true }))).toEqual([]);
    await node.settle(ctl.prepare());
    const following = collect(node.executor.logs(ctl.task, { follow: true }));
    await node.settle(ctl.start());
    await node.settle(ctl.remove());
    expect((await following).map((l) => l.line)).toEqual(['[simulated] started busybox sleep 1000', '[simulated] exited with code 137']);
  });
});
