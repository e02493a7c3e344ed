/**
 * The executor's shared event stream (no engine: a fake one hands out in-memory streams, on a
 * virtual clock): one stream for every watcher, events routed by container, closed with the last
 * watcher, and re-opened with a resync when the engine drops it — what keeps `wait` and health
 * waits hearing about their containers.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VirtualClock, flushMicrotasks } from '../../../src/runtime/index.js';
import type { DockerEngine } from '../../../src/executor/docker/engine.js';
import { EventMonitor, type ContainerEvent } from '../../../src/executor/docker/events.js';

class FakeEngine {
  readonly opened: { stream: PassThrough; labels: readonly string[]; signal: AbortSignal }[] = [];
  failNext = 0;

  events(labels: readonly string[], signal: AbortSignal): Promise<PassThrough> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    }
    const stream = new PassThrough();
    signal.addEventListener('abort', () => stream.destroy());
    this.opened.push({ stream, labels, signal });
    return Promise.resolve(stream);
  }

  get live(): number {
    return this.opened.filter((o) => !o.signal.aborted && !o.stream.destroyed).length;
  }

  emit(action: string, id: string, attributes: Record<string, string> = {}): void {
    const last = this.opened[this.opened.length - 1];
    last?.stream.write(`${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: attributes }, timeNano: 1 })}\n`);
  }
}

function setup(): { engine: FakeEngine; clock: VirtualClock; monitor: EventMonitor } {
  const engine = new FakeEngine();
  const clock = new VirtualClock({ start: 0 });
  return { engine, clock, monitor: new EventMonitor(engine as unknown as DockerEngine, 'scope-a', clock) };
}

describe('EventMonitor', () => {
  it('shares one stream filtered by scope, routes events by container and closes with the last watcher', async () => {
    const { engine, monitor } = setup();
    const a: (ContainerEvent | 'resync')[] = [];
    const b: (ContainerEvent | 'resync')[] = [];
    const stopA = await monitor.watch('aaa', (e) => a.push(e));
    const stopB = await monitor.watch('bbb', (e) => b.push(e));
    expect(engine.opened).toHaveLength(1);
    expect(engine.opened[0]?.labels).toEqual(['io.flotilla.scope=scope-a']);
    engine.emit('start', 'aaa');
    engine.emit('die', 'bbb', { exitCode: '3' });
    engine.emit('die', 'zzz', { exitCode: '1' });
    await flushMicrotasks();
    expect(a).toEqual([{ action: 'start', containerId: 'aaa' }]);
    expect(b).toEqual([{ action: 'die', containerId: 'bbb', exitCode: 3 }]);
    stopA();
    expect(engine.live).toBe(1);
    stopB();
    expect(engine.live).toBe(0);
    expect(monitor.size).toBe(0);
  });

  it('re-opens a dropped stream with backoff and tells every watcher to resync', async () => {
    const { engine, clock, monitor } = setup();
    const seen: (ContainerEvent | 'resync')[] = [];
    const stop = await monitor.watch('aaa', (e) => seen.push(e));
    engine.failNext = 1;
    engine.opened[0]?.stream.end();
    await flushMicrotasks();
    await clock.advanceAsync(100); // first retry fails (engine refused)
    expect(seen).toEqual([]);
    await clock.advanceAsync(200); // second retry succeeds
    expect(engine.opened).toHaveLength(2);
    expect(seen).toEqual(['resync']);
    engine.emit('health_status: unhealthy', 'aaa');
    await flushMicrotasks();
    expect(seen).toEqual(['resync', { action: 'health_status: unhealthy', containerId: 'aaa' }]);
    stop();
    expect(engine.live).toBe(0);
  });

  it('rejects a watch when the engine cannot be reached, keeping no watcher', async () => {
    const { engine, monitor } = setup();
    engine.failNext = 1;
    await expect(monitor.watch('aaa', () => undefined)).rejects.toThrow('ECONNREFUSED');
    expect(monitor.size).toBe(0);
    const stop = await monitor.watch('aaa', () => undefined);
    expect(engine.live).toBe(1);
    stop();
  });
});
