import { describe, expect, it } from 'vitest';
import { Random } from '../../src/runtime/index.js';

const draw = (r: Random, n: number) => Array.from({ length: n }, () => r.nextUint32());

describe('Random', () => {
  it('gives the same sequence for the same seed', () => {
    expect(draw(Random.fromSeed(42), 100)).toEqual(draw(Random.fromSeed(42), 100));
    expect(draw(Random.fromSeed('abc'), 100)).toEqual(draw(Random.fromSeed('abc'), 100));
  });

  it('gives different sequences for different seeds', () => {
    expect(draw(Random.fromSeed(1), 10)).not.toEqual(draw(Random.fromSeed(2), 10));
    expect(draw(Random.fromSeed(1), 10)).not.toEqual(draw(Random.fromSeed('1'), 10));
  });

  it('is pinned: the sequence for seed 42 never changes across machines or releases', () => {
    // A change here breaks every recorded failing seed; do not update it lightly.
    expect(draw(Random.fromSeed(42), 4)).toMatchInlineSnapshot(`
      [
        1833207623,
        900228918,
        2918792594,
        3346482514,
      ]
    `);
    expect(Random.fromSeed(42).id()).toMatchInlineSnapshot(`"6gvpjigy66poy2hugdqduqyxe"`);
  });

  it('forks independent streams that do not depend on draws from the parent', () => {
    const a = Random.fromSeed(7);
    const b = Random.fromSeed(7);
    b.next();
    b.next();
    expect(draw(a.fork('net'), 20)).toEqual(draw(b.fork('net'), 20));
    expect(draw(a.fork('net'), 20)).not.toEqual(draw(a.fork('raft'), 20));
  });

  it('int(n) stays in range and covers every value roughly uniformly', () => {
    const r = Random.fromSeed(3);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const v = r.int(6);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(6);
      counts[v] = (counts[v] as number) + 1;
    }
    for (const c of counts) {
      expect(c).toBeGreaterThan(9_500);
      expect(c).toBeLessThan(10_500);
    }
  });

  it('next() is in [0, 1)', () => {
    const r = Random.fromSeed(9);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('int rejects a non-positive or fractional bound', () => {
    const r = Random.fromSeed(1);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
  });

  it('produces Docker-style ids: 25 lowercase base-36 characters, unique', () => {
    const r = Random.fromSeed(5);
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = r.id();
      expect(id).toMatch(/^[0-9a-z]{25}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });

  it('shuffle permutes in place and pick chooses members', () => {
    const r = Random.fromSeed(11);
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = r.shuffle([...items]);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(items).toContain(r.pick(items));
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('exponential has roughly the requested mean', () => {
    const r = Random.fromSeed(13);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += r.exponential(5);
    expect(sum / 20_000).toBeGreaterThan(4.8);
    expect(sum / 20_000).toBeLessThan(5.2);
  });
});
