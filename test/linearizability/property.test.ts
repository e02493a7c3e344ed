import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/runtime/index.js';
import { checkLinearizable, describeViolation, generateLinearizableHistory, kvModel, registerModel, witnessProblems } from '../support/linearizability/index.js';
import type { Operation } from '../support/linearizability/index.js';

const params = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  clients: fc.integer({ min: 1, max: 6 }),
  operations: fc.integer({ min: 1, max: 80 }),
  keys: fc.integer({ min: 1, max: 3 }),
});

function generate(p: { seed: number; clients: number; operations: number; keys: number }): Operation[] {
  const keys = ['a', 'b', 'c'].slice(0, p.keys);
  return generateLinearizableHistory(Random.fromSeed(p.seed), { operations: p.operations, clients: p.clients, keys });
}

describe('randomized histories of a correct register store', () => {
  it('are always linearizable, with a sound witness per key', () => {
    fc.assert(
      fc.property(params, (p) => {
        const ops = generate(p);
        const model = kvModel();
        const result = checkLinearizable(ops, model);
        expect(result.result, `seed ${p.seed}\n${describeViolation(result)}`).toBe('ok');
        for (const part of result.partitions) {
          const own = ops.filter((o) => o.key === part.key);
          expect(witnessProblems(own, part.linearization ?? [], model)).toEqual([]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('are linearizable as one register when there is one key', () => {
    fc.assert(
      fc.property(params, (p) => {
        const result = checkLinearizable(generate({ ...p, keys: 1 }), registerModel());
        expect(result.result, describeViolation(result)).toBe('ok');
      }),
      { numRuns: 100 },
    );
  });

  it('become illegal when one read returns a value never written', () => {
    fc.assert(
      fc.property(params, fc.nat(), (p, pick) => {
        const ops = generate(p);
        const reads = ops.filter((o) => o.kind === 'read' && o.status === 'ok');
        fc.pre(reads.length > 0);
        const victim = reads[pick % reads.length] as Operation;
        const mutated = ops.map((o) => (o.id === victim.id ? { ...o, output: -1 } : o));
        const result = checkLinearizable(mutated, kvModel());
        expect(result.result).toBe('illegal');
        expect(result.counterexample?.key).toBe(victim.key);
      }),
      { numRuns: 200 },
    );
  });

  it('checks 2,000 operations over 10 keys with 5 concurrent clients', () => {
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const ops = generateLinearizableHistory(Random.fromSeed('perf'), { operations: 2000, clients: 5, keys });
    const result = checkLinearizable(ops, kvModel());
    expect(result.result, describeViolation(result)).toBe('ok');
    expect(result.partitions).toHaveLength(10);
    expect(result.partitions.reduce((n, p) => n + p.ops, 0) + result.dropped).toBe(2000);
  });

  it('checks 2,000 operations on one register with 5 concurrent clients', () => {
    const ops = generateLinearizableHistory(Random.fromSeed('perf-1'), { operations: 2000, clients: 5 });
    const result = checkLinearizable(ops, registerModel());
    expect(result.result, describeViolation(result)).toBe('ok');
  });
});
