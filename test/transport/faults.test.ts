import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/index.js';
import type { FaultOptions, TrafficStats } from '../../src/transport/index.js';
import { simulate } from './support.js';

const N = 10_000;

/** Sends N numbered messages a→b under `faults`; returns the stats and the delivery transcript. */
function run(seed: number | string, faults: FaultOptions) {
  const { clock, net, listen } = simulate({ seed, latency: { min: 1, mean: 4 }, ...faults });
  const a = net.endpoint('a');
  const b = listen('b');
  for (let i = 0; i < N; i++) {
    a.send('b', i);
    if (i % 10 === 9) clock.advance(1);
  }
  clock.runUntilIdle();
  return { stats: net.stats(), transcript: b.inbox.map((r) => `${r.at}:${String(r.message)}`), link: net.linkStats('a', 'b') };
}

const CHAOS: FaultOptions = { dropRate: 0.1, duplicateRate: 0.05, reorderRate: 0.2, reorderDelay: '15ms' };

describe('InMemoryNetwork fault injection', () => {
  it('drops, duplicates and reorders within the expected bands over 10,000 messages', () => {
    const { stats } = run(42, CHAOS);
    expect(stats.sent).toBe(N);
    // dropRate 0.1 of 10,000: mean 1,000, sd 30
    expect(stats.dropped.fault).toBeGreaterThanOrEqual(900);
    expect(stats.dropped.fault).toBeLessThanOrEqual(1100);
    // duplicateRate 0.05 of the ~9,000 not dropped: mean 450, sd 21
    expect(stats.duplicated).toBeGreaterThanOrEqual(380);
    expect(stats.duplicated).toBeLessThanOrEqual(520);
    // reorderRate 0.2 of the ~9,450 copies: mean 1,890, sd 39
    expect(stats.reordered).toBeGreaterThanOrEqual(1750);
    expect(stats.reordered).toBeLessThanOrEqual(2030);
    expect(stats.delivered).toBe(N - stats.dropped.fault + stats.duplicated);
    expect(stats.dropped.total).toBe(stats.dropped.fault);
    expect(stats.inFlight).toBe(0);
  });

  it('gives exactly the same counts, times and order for the same seed, and different ones for another', () => {
    const first = run(42, CHAOS);
    const again = run(42, CHAOS);
    const other = run(43, CHAOS);
    expect(again.stats).toEqual(first.stats);
    expect(again.transcript).toEqual(first.transcript);
    expect(other.stats).not.toEqual(first.stats);
    expect(other.stats.dropped.fault).not.toBe(first.stats.dropped.fault);
    expect(other.transcript).not.toEqual(first.transcript);
  });

  it('never drops, duplicates or reorders with the default settings', () => {
    const { stats, transcript } = run(7, {});
    expect(stats).toMatchObject({ sent: N, delivered: N, duplicated: 0, reordered: 0, dropped: { total: 0 } });
    expect(transcript.map((t) => Number(t.split(':')[1]))).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('counts the same on the link as on the whole network when only one link carries traffic', () => {
    const { stats, link } = run(5, CHAOS);
    expect(link).toEqual(stats);
  });

  it('applies faults set on one directed link to that link only, falling back to the network for the rest', () => {
    const { clock, net } = simulate({ seed: 11 });
    const a = net.endpoint('a');
    const b = net.endpoint('b');
    net.endpoint('c');
    net.setLink('a', 'b', { dropRate: 1 });
    for (let i = 0; i < 100; i++) {
      a.send('b', i);
      a.send('c', i);
      b.send('a', i);
    }
    clock.runUntilIdle();
    expect(net.linkStats('a', 'b').dropped.fault).toBe(100);
    expect(net.linkStats('a', 'c').delivered).toBe(100);
    expect(net.linkStats('b', 'a').delivered).toBe(100);
    expect(net.faults('a', 'b').dropRate).toBe(1);
    expect(net.faults('a', 'b').latency).toEqual(net.faults().latency);

    net.configure({ latency: '30ms' });
    expect(net.faults('a', 'b').latency).toEqual({ min: 30, mean: 30, max: Infinity });
    net.clearLink('a', 'b');
    a.send('b', 'now it gets through');
    clock.runUntilIdle();
    expect(net.linkStats('a', 'b').delivered).toBe(1);
  });

  it('takes new network-wide faults for messages sent after configure', () => {
    const { clock, net } = simulate({ seed: 12 });
    const a = net.endpoint('a');
    net.endpoint('b');
    for (let i = 0; i < 50; i++) a.send('b', i);
    net.configure({ dropRate: 1 });
    for (let i = 0; i < 50; i++) a.send('b', i);
    clock.runUntilIdle();
    expect(net.stats()).toMatchObject({ delivered: 50, dropped: { fault: 50 } });
  });

  it('always duplicates with duplicateRate 1, giving each copy its own latency and its own object', () => {
    const { clock, net, listen } = simulate({ seed: 13, latency: { min: 1, mean: 20 }, duplicateRate: 1 });
    const a = net.endpoint('a');
    const b = listen('b');
    const due: number[] = [];
    net.onTrace((e) => {
      if (e.kind === 'schedule') due.push(e.dueAt);
    });
    a.send('b', { n: 2 });
    clock.runUntilIdle();
    expect(b.inbox.map((r) => r.message)).toEqual([{ n: 2 }, { n: 2 }]);
    expect(b.inbox[0]?.message).not.toBe(b.inbox[1]?.message); // each copy is its own object
    expect(due).toHaveLength(2);
    expect(due[0]).not.toBe(due[1]);
    expect(net.stats()).toMatchObject({ sent: 1, duplicated: 1, delivered: 2 });
  });

  it.each<[string, FaultOptions, string]>([
    ['a drop rate above 1', { dropRate: 1.5 }, 'dropRate'],
    ['a negative duplicate rate', { duplicateRate: -0.1 }, 'duplicateRate'],
    ['a NaN reorder rate', { reorderRate: Number.NaN }, 'reorderRate'],
    ['a malformed latency', { latency: '5 parsecs' }, 'latency'],
    ['a mean latency below the minimum', { latency: { min: '10ms', mean: '5ms' } }, 'latency.mean'],
    ['a maximum latency below the minimum', { latency: { min: '10ms', max: '5ms' } }, 'latency.max'],
    ['a negative reorder delay', { reorderDelay: -1 }, 'reorderDelay'],
  ])('rejects %s with a ValidationError naming the field, changing nothing', (_what, options, path) => {
    const { net } = simulate();
    const before = net.faults();
    let caught: unknown;
    try {
      net.configure({ dropRate: 0.5, ...options });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.path)).toContain(path);
    expect(net.faults()).toEqual(before);
    expect(() => simulate(options)).toThrow(ValidationError);
  });

  it('reports every bad field at once', () => {
    const { net } = simulate();
    expect(() => net.setLink('a', 'b', { dropRate: 2, duplicateRate: 2 })).toThrow(/dropRate.*duplicateRate/);
  });

  it('leaves other links draws unchanged when traffic is added on one link', () => {
    const transcript = (extra: boolean): TrafficStats => {
      const { clock, net } = simulate({ seed: 21, dropRate: 0.3 });
      const a = net.endpoint('a');
      const c = net.endpoint('c');
      net.endpoint('b');
      for (let i = 0; i < 500; i++) {
        a.send('b', i);
        if (extra) c.send('b', i);
      }
      clock.runUntilIdle();
      return net.linkStats('a', 'b');
    };
    expect(transcript(true)).toEqual(transcript(false));
  });
});
