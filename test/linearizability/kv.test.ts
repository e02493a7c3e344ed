import { describe, expect, it } from 'vitest';
import { cas, checkLinearizable, history, kvModel, r, registerModel, w } from '../support/linearizability/index.js';

describe('kvModel', () => {
  it('keeps one canonical state per store: writing the initial value back forgets the key', () => {
    const m = kvModel();
    const a = m.step(m.init(), { kind: 'write', key: 'x', input: 1 }, undefined).state;
    const b = m.step(a, { kind: 'write', key: 'x', input: null }, undefined).state;
    expect(a).toEqual({ x: 1 });
    expect(b).toEqual({});
    expect(m.hash(b)).toBe(m.hash(m.init()));
    expect(m.hash(a)).not.toBe(m.hash(b));
  });

  it('never mutates the state it steps from', () => {
    const m = kvModel();
    const s = Object.freeze({ x: 1 });
    const next = m.step(s, { kind: 'cas', key: 'x', input: { from: 1, to: 2 } }, true);
    expect(next).toEqual({ ok: true, state: { x: 2 } });
    expect(s).toEqual({ x: 1 });
  });

  it('reads each key independently', () => {
    const m = kvModel();
    const s = { x: 1 };
    expect(m.step(s, { kind: 'read', key: 'x', input: undefined }, 1).ok).toBe(true);
    expect(m.step(s, { kind: 'read', key: 'y', input: undefined }, 1).ok).toBe(false);
    expect(m.step(s, { kind: 'read', key: 'y', input: undefined }, null).ok).toBe(true);
  });

  it('rejects malformed inputs loudly', () => {
    const m = kvModel();
    expect(() => m.step({}, { kind: 'cas', key: 'x', input: 3 }, true)).toThrow(/cas input/);
    expect(() => m.step({}, { kind: 'write', key: 'x', input: { a: 1 } }, undefined)).toThrow(/write input/);
  });
});

describe('per-key partitioning', () => {
  const ops = history(
    w(1, 'x', 1, 0, 1),
    w(2, 'y', 1, 0, 1),
    w(3, 'z', 1, 0, 1),
    r(1, 'x', 1, 2, 3),
    w(2, 'y', 2, 2, 3),
    cas(3, 'z', 1, 2, true, 2, 3),
    r(1, 'y', 1, 4, 5), // stale: y = 2 was written and returned before
    r(2, 'x', 1, 4, 5),
    r(3, 'z', 2, 4, 5),
  );

  it('finds the violation on one key and clears the others', () => {
    const result = checkLinearizable(ops, kvModel());
    expect(result.result).toBe('illegal');
    expect(result.partitions.map((p) => [p.key, p.result, p.ops])).toEqual([
      ['x', 'ok', 3],
      ['y', 'illegal', 3],
      ['z', 'ok', 3],
    ]);
    expect(result.counterexample?.key).toBe('y');
    expect(result.counterexample?.failed.id).toBe(6);
  });

  it('can stop at the first violation', () => {
    const result = checkLinearizable(ops, kvModel(), { stopOnViolation: true });
    expect(result.partitions.map((p) => p.result)).toEqual(['ok', 'illegal', 'skipped']);
  });

  it('keeps keys apart, which one register would not', () => {
    const clean = history(w(1, 'x', 1, 0, 1), w(2, 'y', 2, 2, 3), r(1, 'x', 1, 4, 5));
    expect(checkLinearizable(clean, kvModel()).result).toBe('ok');
    expect(checkLinearizable(clean, registerModel()).result).toBe('illegal');
  });
});
