import { describe, expect, it } from 'vitest';
import { cas, checkLinearizable, describeViolation, formatOperation, history, kvModel, r, registerModel, w } from '../support/linearizability/index.js';

describe('formatOperation', () => {
  it('renders each kind and status on one line', () => {
    const ops = history(w(1, 'x', 5, 0, 2), r(2, 'x', 5, 1, 3), cas(3, 'x', 5, 6, false, 2, 4), w(4, 'y', 'a', 7));
    expect(ops.map(formatOperation)).toEqual([
      '#0 c1 write(x, 5) ok [0, 2]',
      '#1 c2 read(x) -> 5 ok [1, 3]',
      '#2 c3 cas(x, 5 => 6) -> false ok [2, 4]',
      '#3 c4 write(y, "a") info [7, inf)',
    ]);
  });
});

describe('describeViolation', () => {
  it('explains a stale read: the prefix, the state it leaves, and the operation that cannot be placed', () => {
    const ops = history(w(1, 'x', 1, 0, 1), w(1, 'x', 2, 2, 3), r(2, 'x', 1, 4, 5), r(3, 'y', null, 0, 1));
    const text = describeViolation(checkLinearizable(ops, kvModel()));
    expect(text).toBe(
      [
        'Not linearizable: 1 of 2 partitions illegal ("x"); 4 operations in 2 partitions, 10 search steps, model kv.',
        '',
        'Key "x": the longest linearizable prefix places 2 of 3 operations:',
        '  1. #0 c1 write(x, 1) ok [0, 1]',
        '  2. #1 c1 write(x, 2) ok [2, 3]',
        'leaving the state { x: 2 }.',
        'Then #2 c2 read(x) -> 1 ok [4, 5] had to take effect before it returned, but it is not legal in that state.',
        'No other operation was pending that could have come first.',
        'No order the search tried gets further than this prefix.',
      ].join('\n'),
    );
  });

  it('lists the other pending operations that do not fit either', () => {
    // Two concurrent writes, then two overlapping reads of values never written.
    const ops = history(w(1, 'x', 1, 0, 10), w(2, 'x', 2, 0, 10), r(3, 'x', 3, 11, 12), r(4, 'x', 4, 11, 20));
    const result = checkLinearizable(ops, registerModel());
    const cx = result.counterexample;
    expect(cx?.failed.id).toBe(2);
    expect(cx?.failedLegal).toBe(false);
    expect(cx?.prefix.map((o) => o.id)).toEqual([0, 1]);
    expect(cx?.rejected.map((o) => o.id)).toEqual([3]);
    expect(cx?.accepted).toEqual([]);
    expect(describeViolation(result)).toContain('The other pending operations are not legal there either:\n  - #3 c4 read(x) -> 4 ok [11, 20]');
  });

  it('shows recorded values even where the search rewrote unread ones', () => {
    // The value 2 is never read, so the register model searches with a placeholder for it.
    const result = checkLinearizable(history(w(1, 'x', 1, 0, 1), w(1, 'x', 2, 2, 3), r(2, 'x', 1, 4, 5)), registerModel());
    expect(result.counterexample?.stateText).toBe('2');
    expect(result.counterexample?.prefix.map((o) => o.input)).toEqual([1, 2]);
  });

  it('summarises an ok result and names the partitions an exhausted budget left undecided', () => {
    const ops = history(w(1, 'x', 1, 0, 1), r(1, 'x', 1, 2, 3));
    expect(describeViolation(checkLinearizable(ops, kvModel()))).toBe('Linearizable: 2 operations in 1 partition, 2 search steps, model kv.');
    const text = describeViolation(checkLinearizable(ops, kvModel(), { maxSteps: 1 }));
    expect(text).toMatch(/^Undecided: the step budget ran out .* Unfinished partitions: "x"\. Raise maxSteps/);
  });
});
