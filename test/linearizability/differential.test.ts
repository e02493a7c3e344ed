import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bruteForceLinearizable, checkLinearizable, describeViolation, registerModel } from '../support/linearizability/index.js';
import type { OpKind, OpStatus, Operation } from '../support/linearizability/index.js';

/** Small arbitrary histories over one register with values 0..3: often not linearizable. */
const opArb = fc.record({
  client: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom<OpKind>('read', 'write', 'cas'),
  a: fc.integer({ min: 0, max: 3 }),
  b: fc.integer({ min: 0, max: 3 }),
  swapped: fc.boolean(),
  call: fc.integer({ min: 0, max: 12 }),
  length: fc.integer({ min: 0, max: 6 }),
  status: fc.constantFrom<OpStatus>('ok', 'ok', 'ok', 'ok', 'info', 'fail'),
});

type Spec = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function build(specs: Spec[]): Operation[] {
  return specs.map((s, id) => {
    const input = s.kind === 'write' ? s.a : s.kind === 'cas' ? { from: s.a, to: s.b } : undefined;
    const output = s.kind === 'read' ? s.b : s.kind === 'cas' ? s.swapped : undefined;
    return {
      id,
      client: s.client,
      key: 'x',
      kind: s.kind,
      input,
      ...(s.status === 'ok' && output !== undefined ? { output } : {}),
      call: s.call,
      return: s.status === 'info' ? undefined : s.call + s.length,
      status: s.status,
    };
  });
}

describe('the WGL search agrees with a brute-force reference', () => {
  it('on small random histories, linearizable or not, with info and fail operations', () => {
    const model = registerModel({ initial: 0 });
    let illegal = 0;
    let legal = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 0, maxLength: 8 }), (specs) => {
        const ops = build(specs);
        const expected = bruteForceLinearizable(ops, model);
        const result = checkLinearizable(ops, model);
        if (expected) legal++;
        else illegal++;
        expect(result.result, describeViolation(result)).toBe(expected ? 'ok' : 'illegal');
      }),
      { numRuns: 3000 },
    );
    // Both verdicts must be well represented, or the comparison proves little.
    expect(Math.min(legal, illegal)).toBeGreaterThan(300);
  });

  it('agrees when the cache is disabled, which must not change any verdict', () => {
    const model = registerModel({ initial: 0 });
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 7 }), (specs) => {
        const ops = build(specs);
        expect(checkLinearizable(ops, model, { maxCacheEntries: 0 }).result).toBe(bruteForceLinearizable(ops, model) ? 'ok' : 'illegal');
      }),
      { numRuns: 1000 },
    );
  });
});
