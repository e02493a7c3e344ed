import { describe, expect, it } from 'vitest';
import { ClosedError, ValidationError } from '../../src/errors/index.js';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import { InMemoryNetwork, type NetworkEvent } from '../../src/transport/index.js';
import { simulate } from './support.js';

describe('InMemoryNetwork closing', () => {
  it('cancels every pending delivery timer when the network closes, so the clock goes idle', () => {
    const { clock, net } = simulate({ latency: { min: 5, mean: 50 }, duplicateRate: 0.5, reorderRate: 0.5 });
    const a = net.endpoint('a');
    const b = net.endpoint('b');
    for (let i = 0; i < 100; i++) {
      a.send('b', i);
      b.send('a', i);
    }
    const inFlight = net.stats().inFlight;
    expect(inFlight).toBeGreaterThan(200);
    expect(clock.pendingTimers).toBe(inFlight);
    net.close();
    expect(clock.pendingTimers).toBe(0);
    expect(net.closed).toBe(true);
    expect(net.stats()).toMatchObject({ inFlight: 0, delivered: 0, dropped: { closed: inFlight, total: inFlight } });
    expect(clock.runUntilIdle()).toBe(0);
  });

  it('drops what is on its way to an endpoint when it closes, cancelling those timers only', () => {
    const { clock, net, listen } = simulate({ latency: 10 });
    const a = listen('a');
    const b = net.endpoint('b');
    a.endpoint.send('b', 'to the closing one');
    a.endpoint.send('b', 'also');
    b.send('a', 'farewell');
    expect(clock.pendingTimers).toBe(3);
    b.close();
    expect(clock.pendingTimers).toBe(1);
    clock.runUntilIdle();
    expect(a.inbox.map((r) => r.message)).toEqual(['farewell']);
    expect(net.linkStats('a', 'b').dropped.closed).toBe(2);
    expect(net.linkStats('b', 'a').delivered).toBe(1);
  });

  it('gives a reopened address nothing that was sent to its previous endpoint', () => {
    const { clock, net, listen } = simulate({ latency: 10 });
    const a = net.endpoint('a');
    const first = net.endpoint('b');
    a.send('b', 'for the old b');
    first.close();
    a.send('b', 'while b is down');
    const second = listen('b');
    a.send('b', 'for the new b');
    clock.runUntilIdle();
    expect(second.inbox.map((r) => r.message)).toEqual(['for the new b']);
    expect(net.stats().dropped).toMatchObject({ closed: 2, unknown: 0 });
  });

  it('does not hold a reopened endpoint messages back behind ones dropped with its predecessor', () => {
    const { clock, net, listen } = simulate({ latency: 100 });
    const a = net.endpoint('a');
    const old = net.endpoint('b');
    a.send('b', 'slow, for the old b');
    clock.advance(1);
    old.close();
    const b = listen('b');
    net.configure({ latency: 10 });
    a.send('b', 'fast, for the new b');
    clock.runUntilIdle();
    expect(b.inbox).toEqual([{ message: 'fast, for the new b', from: 'a', at: 11 }]);
  });

  it('counts a message to an address nobody ever opened as dropped unknown, without a timer', () => {
    const { clock, net } = simulate();
    const a = net.endpoint('a');
    a.send('ghost', 'boo');
    expect(clock.pendingTimers).toBe(0);
    expect(net.stats()).toMatchObject({ sent: 1, delivered: 0, inFlight: 0, dropped: { unknown: 1, total: 1 } });
    expect(net.linkStats('a', 'ghost').dropped.unknown).toBe(1);
  });

  it('throws ClosedError when an endpoint of a closed network sends', () => {
    const { net } = simulate();
    const a = net.endpoint('a');
    net.close();
    expect(() => a.send('a', 'x')).toThrow(ClosedError);
    expect(net.addresses()).toEqual([]);
  });

  it('lists the open addresses', () => {
    const { net } = simulate();
    net.endpoint('a');
    const b = net.endpoint('b');
    net.endpoint('c');
    b.close();
    expect(net.addresses()).toEqual(['a', 'c']);
  });

  it('rejects an empty address', () => {
    const { net } = simulate();
    expect(() => net.endpoint('')).toThrow(ValidationError);
  });
});

describe('InMemoryNetwork bounds and counters', () => {
  it('drops copies beyond maxInFlight as overflow', () => {
    const { clock, net } = simulate({ maxInFlight: 3 });
    const a = net.endpoint('a');
    net.endpoint('b');
    for (let i = 0; i < 5; i++) a.send('b', i);
    expect(net.stats()).toMatchObject({ inFlight: 3, dropped: { overflow: 2 } });
    clock.runUntilIdle();
    a.send('b', 'room again');
    expect(net.stats().inFlight).toBe(1);
  });

  it('rejects a maxInFlight that is not a positive integer', () => {
    expect(() => simulate({ maxInFlight: 0 })).toThrow(ValidationError);
    expect(() => simulate({ maxInFlight: 1.5 })).toThrow(ValidationError);
  });

  it('zeroes the counters on resetStats but keeps the in-flight gauge', () => {
    const { clock, net } = simulate({ latency: 10 });
    const a = net.endpoint('a');
    net.endpoint('b');
    a.send('b', 1);
    clock.runUntilIdle();
    a.send('b', 2);
    a.send('nobody', 3);
    net.resetStats();
    expect(net.stats()).toEqual({
      sent: 0,
      delivered: 0,
      duplicated: 0,
      reordered: 0,
      inFlight: 1,
      dropped: { total: 0, fault: 0, partition: 0, closed: 0, unknown: 0, overflow: 0 },
    });
    expect(net.linkStats('a', 'b')).toMatchObject({ sent: 0, inFlight: 1 });
    clock.runUntilIdle();
    expect(net.stats()).toMatchObject({ delivered: 1, inFlight: 0 });
  });

  it('uses only its own fork of the injected random, never shifting the caller stream', () => {
    const random = Random.fromSeed(99);
    const net = new InMemoryNetwork({ clock: new VirtualClock(), random, latency: { min: 1, mean: 9 }, dropRate: 0.5 });
    const a = net.endpoint('a');
    net.endpoint('b');
    for (let i = 0; i < 100; i++) a.send('b', i);
    expect(random.next()).toBe(Random.fromSeed(99).next());
  });

  it('traces drops with their reason', () => {
    const { clock, net } = simulate();
    const a = net.endpoint('a');
    net.endpoint('b');
    const drops: NetworkEvent[] = [];
    net.onTrace((e) => {
      if (e.kind === 'drop') drops.push(e);
    });
    a.send('nobody', 1);
    net.isolate('b');
    a.send('b', 2);
    clock.runUntilIdle();
    expect(drops.map((e) => (e.kind === 'drop' ? [e.to, e.reason] : []))).toEqual([
      ['nobody', 'unknown'],
      ['b', 'partition'],
    ]);
  });
});
