import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulate } from './support.js';

const ADDRESSES = ['a', 'b', 'c', 'd'] as const;
const address = fc.constantFrom(...ADDRESSES);

/** Anything a simulator might do to a network, in any order. */
const op = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), from: address, to: fc.constantFrom(...ADDRESSES, 'nobody') }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('partition' as const), a: address, b: address }),
  fc.record({ kind: fc.constant('isolate' as const), a: address }),
  fc.record({ kind: fc.constant('heal' as const) }),
  fc.record({ kind: fc.constant('close' as const), a: address }),
  fc.record({ kind: fc.constant('open' as const), a: address }),
);

describe('InMemoryNetwork accounting', () => {
  it('accounts for every copy: sent + duplicated = delivered + dropped + in flight, overall and per link', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(op, { maxLength: 120 }), (seed, ops) => {
        const { clock, net } = simulate({ seed, latency: { min: 1, mean: 8 }, dropRate: 0.1, duplicateRate: 0.2, reorderRate: 0.2, maxInFlight: 40 });
        const eps = new Map(ADDRESSES.map((x) => [x, net.endpoint(x)]));
        let handled = 0;
        for (const ep of eps.values()) ep.onMessage(() => handled++);
        for (const o of ops) {
          if (o.kind === 'send') {
            const ep = eps.get(o.from);
            if (ep !== undefined && !ep.closed) ep.send(o.to, o.from);
          } else if (o.kind === 'advance') clock.advance(o.ms);
          else if (o.kind === 'partition' && o.a !== o.b) net.partition(o.a, o.b);
          else if (o.kind === 'isolate') net.isolate(o.a);
          else if (o.kind === 'heal') net.heal();
          else if (o.kind === 'close') eps.get(o.a)?.close();
          else if (o.kind === 'open' && eps.get(o.a)?.closed === true) {
            const ep = net.endpoint(o.a);
            ep.onMessage(() => handled++);
            eps.set(o.a, ep);
          }
          const s = net.stats();
          expect(s.sent + s.duplicated).toBe(s.delivered + s.dropped.total + s.inFlight);
          expect(clock.pendingTimers).toBe(s.inFlight);
        }
        clock.runUntilIdle();
        const s = net.stats();
        expect(s.inFlight).toBe(0);
        expect(handled).toBe(s.delivered);
        let sum = 0;
        for (const from of ADDRESSES) {
          for (const to of [...ADDRESSES, 'nobody']) {
            const l = net.linkStats(from, to);
            expect(l.sent + l.duplicated).toBe(l.delivered + l.dropped.total);
            sum += l.delivered;
          }
        }
        expect(sum).toBe(s.delivered);
      }),
      { numRuns: 200 },
    );
  });
});
