import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SortedKeys } from '../../src/store/sorted-keys.js';

describe('SortedKeys (the prefix index)', () => {
  it('matches a sorted array under any mix of adds and deletes, across many blocks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 5 })), { maxLength: 400 }),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 3 }), { maxLength: 5 }),
        (ops, prefixes) => {
          const keys = new SortedKeys(4);
          const model = new Set<string>();
          for (const [add, key] of ops) {
            expect(add ? keys.add(key) : keys.delete(key)).toBe(add ? !model.has(key) : model.has(key));
            if (add) model.add(key);
            else model.delete(key);
          }
          const sorted = [...model].sort();
          expect([...keys]).toEqual(sorted);
          expect(keys.size).toBe(model.size);
          for (const p of prefixes) expect([...keys.withPrefix(p)]).toEqual(sorted.filter((k) => k.startsWith(p)));
          for (const [, key] of ops) expect(keys.has(key)).toBe(model.has(key));
        },
      ),
      { numRuns: 300 },
    );
  });
});
