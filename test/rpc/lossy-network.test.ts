import { describe, expect, it } from 'vitest';
import { RpcClient, RpcServer, RpcTimeoutError } from '../../src/rpc/index.js';
import { net } from './support.js';

describe('RPC over a lossy, duplicating, reordering network', () => {
  for (const seed of [11, 12, 13]) {
    it(`runs every non-idempotent call at most once, and answers most of them (seed ${seed})`, async () => {
      const { clock, random, network } = net(seed, { dropRate: 0.2, duplicateRate: 0.2, reorderRate: 0.2, reorderDelay: 30 });
      const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
      const runs = new Map<number, number>();
      server.handle('inc', (b: { n: number }) => {
        runs.set(b.n, (runs.get(b.n) ?? 0) + 1);
        return b.n;
      });
      const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random, timeoutMs: 2000, retries: 5 });
      const outcomes = await clock.settle(
        Promise.allSettled(Array.from({ length: 200 }, (_, n) => client.call<number>('m', 'inc', { n }))),
      );
      let ok = 0;
      for (const [n, o] of outcomes.entries()) {
        if (o.status === 'fulfilled') {
          ok++;
          expect(o.value).toBe(n);
          expect(runs.get(n)).toBe(1);
        } else {
          expect(o.reason).toBeInstanceOf(RpcTimeoutError);
          expect(runs.get(n) ?? 0).toBeLessThanOrEqual(1);
        }
      }
      for (const count of runs.values()) expect(count).toBe(1);
      // With 6 transmissions per call and 20 % loss each way, nearly every call gets through.
      expect(ok).toBeGreaterThanOrEqual(195);
    });
  }
});
