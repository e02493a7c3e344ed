import { describe, expect, it } from 'vitest';
import { Random } from '../../src/runtime/index.js';
import { checkLinearizable, generateLinearizableHistory, history, kvModel, r, registerModel, w } from '../support/linearizability/index.js';
import type { Model, Operation, RegisterValue } from '../support/linearizability/index.js';

/** A highly concurrent history on one register: long windows, 12 clients by default. */
function busy(seed: string, operations = 300, clients = 12): Operation[] {
  return generateLinearizableHistory(Random.fromSeed(seed), { operations, clients, maxDelay: 40 });
}

describe('bounds', () => {
  it('reports unknown, not a verdict, when the step budget runs out', () => {
    const ops = busy('budget');
    const full = checkLinearizable(ops, registerModel());
    expect(full.result).toBe('ok');
    const cut = checkLinearizable(ops, registerModel(), { maxSteps: Math.floor(full.steps / 2) });
    expect(cut.result).toBe('unknown');
    expect(cut.steps).toBe(Math.floor(full.steps / 2));
  });

  it('shares one budget across partitions and marks the ones it never reached', () => {
    const ops = history(w(1, 'a', 1, 0, 1), r(1, 'a', 1, 2, 3), w(1, 'b', 1, 0, 1), r(1, 'b', 1, 2, 3));
    const result = checkLinearizable(ops, kvModel(), { maxSteps: 2 });
    expect(result.partitions.map((p) => p.result)).toEqual(['ok', 'unknown']);
    expect(result.result).toBe('unknown');
  });

  it('never gives a wrong verdict with the cache capped: the cap costs steps, not soundness', () => {
    const ops = busy('cache', 200, 4);
    const bad = ops.map((o) => (o.kind === 'read' && o.status === 'ok' && o.id > 100 && o.id < 110 ? { ...o, output: -1 } : o));
    expect(checkLinearizable(bad, registerModel()).result).toBe('illegal');
    for (const h of [ops, bad]) {
      const free = checkLinearizable(h, registerModel());
      const cap = Math.floor((free.partitions[0]?.cacheEntries ?? 0) / 2);
      const capped = checkLinearizable(h, registerModel(), { maxCacheEntries: cap, maxSteps: 200_000 });
      expect(capped.partitions[0]?.cacheEntries).toBe(cap);
      expect([free.result, 'unknown']).toContain(capped.result);
      expect(capped.steps).toBeGreaterThan(free.steps);
    }
    // A linearizable history is still found linearizable.
    expect(checkLinearizable(ops, registerModel(), { maxCacheEntries: 10 }).result).toBe('ok');
  });

  it('uses a model’s equal when its hash is not exact', () => {
    // Every state hashes alike; only `equal` tells them apart. Without it the cache would wrongly
    // merge states and reject the linearizable history.
    const coarse: Model<RegisterValue> = { ...registerModel(), hash: () => '' };
    const ops = history(w(1, 'x', 1, 0, 10), w(2, 'x', 2, 0, 10), r(3, 'x', 1, 11, 12), r(3, 'x', 1, 13, 14));
    expect(checkLinearizable(ops, { ...coarse, equal: (a, b) => a === b }).result).toBe('ok');
    expect(checkLinearizable(ops, coarse).result).toBe('illegal');
  });
});

describe('register simplification', () => {
  it('drops timed-out writes of values nobody read', () => {
    const ops = history(w(1, 'x', 1, 0, 1), w(2, 'x', 2, 2), w(3, 'x', 3, 2), r(4, 'x', 1, 5, 6), r(4, 'x', 3, 7, 8));
    const result = checkLinearizable(ops, registerModel());
    expect(result.result).toBe('ok');
    expect(result.partitions[0]?.simplified).toBe(1); // write 2; write 3 was read
    expect(result.partitions[0]?.ops).toBe(4);
  });

  it('keeps them when a failed compare-and-set could need one as an excuse', () => {
    // x = 1 is certain after #0, yet the cas from 1 says the value differed: only the timed-out
    // write of 2, which nobody read, can explain it.
    const ops = history(w(1, 'x', 1, 0, 1), w(2, 'x', 2, 2), { client: 3, key: 'x', kind: 'cas', input: { from: 1, to: 9 }, output: false, call: 3, return: 4, status: 'ok' });
    const result = checkLinearizable(ops, registerModel());
    expect(result.result).toBe('ok');
    expect(result.partitions[0]?.simplified).toBe(0);
    expect(checkLinearizable(ops.filter((o) => o.id !== 1), registerModel()).result).toBe('illegal');
  });

  it('treats the key as a separate register in kvModel only', () => {
    // In one register, the read of "x" can see the write to "y".
    const ops = history(w(1, 'y', 2, 0), w(2, 'x', 1, 0, 1), r(3, 'x', 2, 2, 3));
    expect(checkLinearizable(ops, registerModel()).result).toBe('ok');
    expect(checkLinearizable(ops, kvModel()).result).toBe('illegal');
  });
});
