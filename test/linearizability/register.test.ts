import { describe, expect, it } from 'vitest';
import { cas, checkLinearizable, describeViolation, history, r, registerModel, w, witnessProblems } from '../support/linearizability/index.js';
import type { CheckResult, Operation } from '../support/linearizability/index.js';

const model = registerModel();

/** Checks `ops` and, when linearizable, verifies the witness independently. */
function check(ops: Operation[]): CheckResult {
  const result = checkLinearizable(ops, model);
  if (result.result === 'ok') {
    for (const p of result.partitions) expect(witnessProblems(ops, p.linearization ?? [], model)).toEqual([]);
  }
  return result;
}

describe('sequential histories', () => {
  it('accepts reads that see the latest write', () => {
    const ops = history(w(1, 'x', 1, 0, 1), r(1, 'x', 1, 2, 3), w(2, 'x', 2, 4, 5), r(2, 'x', 2, 6, 7), r(1, 'x', 2, 8, 9));
    const result = check(ops);
    expect(result.result, describeViolation(result)).toBe('ok');
    expect(result.partitions[0]?.linearization?.map((o) => o.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('accepts a first read of the initial value and rejects one of a value not yet written', () => {
    expect(check(history(r(1, 'x', null, 0, 1), w(1, 'x', 1, 2, 3))).result).toBe('ok');
    expect(check(history(r(1, 'x', 1, 0, 1), w(1, 'x', 1, 2, 3))).result).toBe('illegal');
  });

  it('honours a custom initial value', () => {
    const ops = history(r(1, 'x', 0, 0, 1));
    expect(checkLinearizable(ops, registerModel({ initial: 0 })).result).toBe('ok');
    expect(checkLinearizable(ops, registerModel()).result).toBe('illegal');
  });

  it('accepts the empty history', () => {
    expect(check([]).result).toBe('ok');
  });
});

describe('concurrent histories that are linearizable', () => {
  it('lets a read overlapping a write see either value', () => {
    expect(check(history(w(1, 'x', 1, 0, 10), r(2, 'x', 1, 2, 5))).result).toBe('ok');
    expect(check(history(w(1, 'x', 1, 0, 10), r(2, 'x', null, 2, 5))).result).toBe('ok');
  });

  it('orders two concurrent writes either way, but then consistently', () => {
    const base = [w(1, 'x', 1, 0, 10), w(2, 'x', 2, 0, 10)];
    expect(check(history(...base, r(3, 'x', 1, 11, 12), r(3, 'x', 1, 13, 14))).result).toBe('ok');
    expect(check(history(...base, r(3, 'x', 2, 11, 12), r(4, 'x', 2, 13, 14))).result).toBe('ok');
    expect(check(history(...base, r(3, 'x', 2, 11, 12), r(4, 'x', 1, 13, 14))).result).toBe('illegal');
  });

  it('treats events at the same instant as concurrent when no sequence numbers are recorded', () => {
    // The write returns at 5 and the read is invoked at 5: either may be first.
    expect(check(history(w(1, 'x', 1, 0, 5), r(2, 'x', null, 5, 6))).result).toBe('ok');
    expect(check(history(w(1, 'x', 1, 0, 4), r(2, 'x', null, 5, 6))).result).toBe('illegal');
  });
});

describe('classic violations', () => {
  it('rejects a read of a value never written', () => {
    const result = check(history(w(1, 'x', 1, 0, 1), w(2, 'x', 2, 0, 3), r(3, 'x', 3, 2, 4)));
    expect(result.result).toBe('illegal');
    expect(result.counterexample?.failed.id).toBe(2);
  });

  it('rejects a stale read after a later write has returned', () => {
    const result = check(history(w(1, 'x', 1, 0, 1), w(1, 'x', 2, 2, 3), r(2, 'x', 1, 4, 5)));
    expect(result.result).toBe('illegal');
    expect(result.counterexample?.failed.id).toBe(2);
    expect(result.counterexample?.prefix.map((o) => o.id)).toEqual([0, 1]);
    expect(result.counterexample?.stateText).toBe('2');
  });

  it('rejects a read of the initial value after a write has returned', () => {
    expect(check(history(w(1, 'x', 1, 0, 10), r(2, 'x', null, 11, 12))).result).toBe('illegal');
  });

  it('rejects two readers that see two concurrent writes in opposite orders', () => {
    const writes = [w(1, 'x', 1, 0, 10), w(2, 'x', 2, 0, 10)];
    const reader3 = [r(3, 'x', 1, 1, 2), r(3, 'x', 2, 3, 4)];
    expect(check(history(...writes, ...reader3, r(4, 'x', 2, 1, 2), r(4, 'x', 1, 3, 4))).result).toBe('illegal');
    // The same readers agreeing on the order is fine.
    expect(check(history(...writes, ...reader3, r(4, 'x', 1, 1, 2), r(4, 'x', 2, 3, 4))).result).toBe('ok');
  });

  it('rejects a value that changes back without a write', () => {
    expect(check(history(w(1, 'x', 1, 0, 1), w(2, 'x', 2, 2, 10), r(3, 'x', 2, 3, 4), r(3, 'x', 1, 5, 6))).result).toBe('illegal');
  });
});

describe('operations with an unknown outcome (info)', () => {
  const before = [w(1, 'x', 1, 0, 1), w(2, 'x', 2, 2)]; // the second write times out

  it('accepts both the case where it took effect and the one where it did not', () => {
    expect(check(history(...before, r(3, 'x', 1, 5, 6))).result).toBe('ok');
    expect(check(history(...before, r(3, 'x', 2, 5, 6))).result).toBe('ok');
    expect(check(history(...before, r(3, 'x', 3, 5, 6))).result).toBe('illegal');
  });

  it('lets it take effect long after the client gave up, but only once', () => {
    const ops = [w(1, 'x', 1, 0, 1), w(2, 'x', 2, 2, 4, 'info'), r(3, 'x', 1, 5, 6), r(3, 'x', 2, 7, 8)];
    expect(check(history(...ops)).result).toBe('ok');
    expect(check(history(...ops, r(3, 'x', 1, 9, 10))).result).toBe('illegal');
  });

  it('never lets it take effect before it was invoked', () => {
    expect(check(history(w(1, 'x', 1, 0, 1), r(2, 'x', 2, 2, 3), w(3, 'x', 2, 4))).result).toBe('illegal');
  });

  it('applies a cas of unknown outcome only where it could have swapped', () => {
    const ops = [w(1, 'x', 1, 0, 1), cas(2, 'x', 1, 5, true, 2, undefined, 'info')];
    expect(check(history(...ops, r(3, 'x', 5, 3, 4))).result).toBe('ok');
    expect(check(history(w(1, 'x', 3, 0, 1), cas(2, 'x', 1, 5, true, 2, undefined, 'info'), r(3, 'x', 5, 3, 4))).result).toBe('illegal');
  });

  it('drops reads of unknown outcome, which change nothing', () => {
    const result = check(history(w(1, 'x', 1, 0, 1), r(2, 'x', null, 2), r(3, 'x', 1, 3, 4)));
    expect(result.result).toBe('ok');
    expect(result.dropped).toBe(1);
  });
});

describe('failed operations', () => {
  it('ignores them: they definitely did not take effect', () => {
    const ops = [w(1, 'x', 1, 0, 1), w(2, 'x', 2, 2, 3, 'fail')];
    const ok = check(history(...ops, r(3, 'x', 1, 4, 5)));
    expect(ok.result).toBe('ok');
    expect(ok.dropped).toBe(1);
    expect(check(history(...ops, r(3, 'x', 2, 4, 5))).result).toBe('illegal');
  });
});

describe('compare-and-set', () => {
  it('swaps only when the value matches', () => {
    const start = [w(1, 'x', 1, 0, 1)];
    expect(check(history(...start, cas(1, 'x', 1, 2, true, 2, 3), r(1, 'x', 2, 4, 5))).result).toBe('ok');
    expect(check(history(...start, cas(1, 'x', 1, 2, true, 2, 3), r(1, 'x', 1, 4, 5))).result).toBe('illegal');
    expect(check(history(...start, cas(1, 'x', 3, 4, false, 2, 3), r(1, 'x', 1, 4, 5))).result).toBe('ok');
    expect(check(history(...start, cas(1, 'x', 3, 4, true, 2, 3))).result).toBe('illegal');
  });

  it('rejects a failed comparison when the value certainly matched', () => {
    expect(check(history(w(1, 'x', 1, 0, 1), cas(1, 'x', 1, 2, false, 2, 3))).result).toBe('illegal');
  });

  it('lets only one of two concurrent identical cas operations succeed', () => {
    const start = w(1, 'x', 1, 0, 1);
    expect(check(history(start, cas(2, 'x', 1, 2, true, 2, 5), cas(3, 'x', 1, 2, true, 2, 5))).result).toBe('illegal');
    expect(check(history(start, cas(2, 'x', 1, 2, true, 2, 5), cas(3, 'x', 1, 2, false, 2, 5))).result).toBe('ok');
  });

  it('treats null as an ordinary value to compare with', () => {
    expect(check(history(cas(1, 'x', null, 7, true, 0, 1), r(1, 'x', 7, 2, 3))).result).toBe('ok');
  });
});
