import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/index.js';
import { Random, VirtualClock, type Clock } from '../../src/runtime/index.js';
import { InMemoryNetwork, type NetworkEvent } from '../../src/transport/index.js';
import { simulate } from './support.js';

describe('InMemoryNetwork delivery timing', () => {
  it('delivers a message exactly when its latency has passed, not a moment before', () => {
    const { clock, net, listen } = simulate({ latency: '25ms' });
    const a = net.endpoint('a');
    const b = listen('b');
    clock.advance(100);
    a.send('b', 'hi');
    clock.advance(24.999);
    expect(b.inbox).toEqual([]);
    clock.advance(0.001);
    expect(b.inbox).toEqual([{ message: 'hi', from: 'a', at: 125 }]);
  });

  it('delivers each copy at the due time it was scheduled for, with random latency', () => {
    const { clock, net, listen } = simulate({ latency: { min: '2ms', mean: '20ms' }, seed: 3 });
    const a = net.endpoint('a');
    const b = listen('b');
    const due = new Map<number, number>();
    const delivered: [number, number][] = [];
    net.onTrace((e) => {
      if (e.kind === 'schedule') due.set(e.id, e.dueAt);
      if (e.kind === 'deliver') delivered.push([e.id, e.at]);
    });
    for (let i = 0; i < 200; i++) {
      a.send('b', i);
      clock.advance(1);
    }
    clock.runUntilIdle();
    expect(delivered).toHaveLength(200);
    for (const [id, at] of delivered) expect(at).toBe(due.get(id));
    for (const r of b.inbox) expect(r.at - (r.message as number)).toBeGreaterThanOrEqual(2);
  });

  it('keeps the latency between min and max, with roughly the configured mean', () => {
    const { clock, net, listen } = simulate({ latency: { min: 5, mean: 15, max: 60 }, seed: 'lat' });
    const a = net.endpoint('a');
    const b = listen('b');
    let lastDue = 0;
    net.onTrace((e) => {
      if (e.kind === 'schedule') lastDue = e.dueAt - e.at;
    });
    const latencies: number[] = [];
    for (let i = 0; i < 5000; i++) {
      // one message at a time, so the link's FIFO order never stretches a latency
      a.send('b', i);
      latencies.push(lastDue);
      clock.runUntilIdle();
    }
    expect(b.inbox).toHaveLength(5000);
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(60);
    expect(Math.max(...latencies)).toBe(60); // the cap was reached: the tail is long enough
    const mean = latencies.reduce((s, x) => s + x, 0) / latencies.length;
    expect(mean).toBeGreaterThan(14);
    expect(mean).toBeLessThan(16);
  });
});

describe('InMemoryNetwork ordering', () => {
  it('delivers a link FIFO with a fixed latency and no reordering', () => {
    const { clock, net, listen } = simulate({ latency: '7ms' });
    const a = net.endpoint('a');
    const b = listen('b');
    for (let i = 0; i < 1000; i++) a.send('b', i);
    clock.runUntilIdle();
    expect(b.inbox.map((r) => r.message)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('keeps a link FIFO even with jittery latency, as long as reordering is off', () => {
    const { clock, net, listen } = simulate({ latency: { min: 1, mean: 50 }, seed: 9 });
    const a = net.endpoint('a');
    const b = listen('b');
    for (let i = 0; i < 1000; i++) {
      a.send('b', i);
      clock.advance(0.5);
    }
    clock.runUntilIdle();
    expect(b.inbox.map((r) => r.message)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('keeps a link FIFO on a clock whose arithmetic puts later timers a hair earlier', () => {
    // Floating-point due times (or a real clock's timer lists) can fire two timers meant for the
    // same instant in either order; FIFO must come from the network, not from the clock.
    const inner = new VirtualClock();
    let n = 0;
    const skewed: Clock = {
      now: () => inner.now(),
      setTimeout: (fn, ms) => inner.setTimeout(fn, ms - ++n * 1e-6),
      clearTimeout: (h) => inner.clearTimeout(h),
    };
    const net = new InMemoryNetwork<number>({ clock: skewed, random: Random.fromSeed(1), latency: 10 });
    const a = net.endpoint('a');
    const b = net.endpoint('b');
    const got: number[] = [];
    b.onMessage((m) => got.push(m));
    for (let i = 0; i < 50; i++) a.send('b', i);
    inner.runUntilIdle();
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(inner.pendingTimers).toBe(0);
  });

  it('lets messages on different links overtake each other with jittery latency', () => {
    const { clock, net, listen } = simulate({ latency: { min: 1, mean: 50 }, seed: 9 });
    const a = net.endpoint('a');
    const c = net.endpoint('c');
    const b = listen('b');
    for (let i = 0; i < 100; i++) {
      a.send('b', `a${i}`);
      c.send('b', `c${i}`);
    }
    clock.runUntilIdle();
    const order = b.inbox.map((r) => r.message as string);
    const interleavedFirst = order.slice(0, 100).filter((m) => m.startsWith('a')).length;
    expect(interleavedFirst).toBeGreaterThan(10);
    expect(interleavedFirst).toBeLessThan(90);
  });

  it('reorders a link when the reorder rate is on', () => {
    const { clock, net, listen } = simulate({ latency: 5, reorderRate: 0.3, reorderDelay: '20ms', seed: 4 });
    const a = net.endpoint('a');
    const b = listen('b');
    for (let i = 0; i < 200; i++) {
      a.send('b', i);
      clock.advance(1);
    }
    clock.runUntilIdle();
    const got = b.inbox.map((r) => r.message as number);
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const inversions = got.filter((m, i) => i > 0 && m < (got[i - 1] as number)).length;
    expect(inversions).toBeGreaterThan(10);
    expect(net.stats().reordered).toBeGreaterThan(30);
  });
});

describe('InMemoryNetwork messages and handlers', () => {
  it('copies messages by default, so the receiver never shares the sender objects', () => {
    const { clock, net, listen } = simulate();
    const a = net.endpoint('a');
    const b = listen('b');
    const msg = { entries: [{ term: 1 }] };
    a.send('b', msg);
    msg.entries[0]!.term = 99;
    clock.runUntilIdle();
    expect(b.inbox[0]?.message).toEqual({ entries: [{ term: 1 }] });
    expect(b.inbox[0]?.message).not.toBe(msg);
  });

  it('hands over the same object when copying is off', () => {
    const { clock, net, listen } = simulate({ cloneMessages: false });
    const a = net.endpoint('a');
    const b = listen('b');
    const msg = { n: 1 };
    a.send('b', msg);
    clock.runUntilIdle();
    expect(b.inbox[0]?.message).toBe(msg);
  });

  it('rejects a message that is not plain data with a ValidationError, counting nothing', () => {
    const { net } = simulate();
    const a = net.endpoint('a');
    net.endpoint('b');
    expect(() => a.send('b', { callback: () => 1 })).toThrow(ValidationError);
    expect(net.stats().sent).toBe(0);
  });

  it('still gives a message to every handler when one throws, then surfaces the error from the clock', () => {
    const { clock, net } = simulate();
    const a = net.endpoint('a');
    const b = net.endpoint('b');
    const seen: string[] = [];
    b.onMessage(() => {
      seen.push('first');
      throw new Error('handler bug');
    });
    b.onMessage(() => seen.push('second'));
    a.send('b', 'x');
    expect(() => clock.runUntilIdle()).toThrow('handler bug');
    expect(seen).toEqual(['first', 'second']);
    expect(net.stats().delivered).toBe(1);
  });

  it('stops handing a message to later handlers once a handler closes the endpoint', () => {
    const { clock, net } = simulate();
    const a = net.endpoint('a');
    const b = net.endpoint('b');
    const seen: string[] = [];
    b.onMessage(() => {
      seen.push('first');
      b.close();
    });
    b.onMessage(() => seen.push('second'));
    a.send('b', 'x');
    clock.runUntilIdle();
    expect(seen).toEqual(['first']);
  });

  it('traces a message from send through schedule to delivery, with one id', () => {
    const { clock, net } = simulate({ latency: 4 });
    const a = net.endpoint('a');
    net.endpoint('b');
    const events: NetworkEvent[] = [];
    const stop = net.onTrace((e) => events.push(e));
    a.send('b', 'm');
    clock.runUntilIdle();
    stop();
    a.send('b', 'after');
    clock.runUntilIdle();
    expect(events).toEqual([
      { kind: 'send', id: 1, at: 0, from: 'a', to: 'b', message: 'm' },
      { kind: 'schedule', id: 1, at: 0, from: 'a', to: 'b', message: 'm', dueAt: 4, duplicate: false, reordered: false },
      { kind: 'deliver', id: 1, at: 4, from: 'a', to: 'b', message: 'm', sentAt: 0, duplicate: false },
    ]);
  });
});
