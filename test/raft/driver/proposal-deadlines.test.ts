import { describe, expect, it, vi } from 'vitest';
import type { TimerHandle } from '../../../src/runtime/index.js';
import { QuorumLostError } from '../../../src/errors/index.js';
import { bytes, driverCluster, outcome } from './cluster.js';

describe('RaftDriver proposal deadlines', () => {
  it('each proposal fails at its own deadline, however many share the one timer', async () => {
    const c = driverCluster(41, 3, { proposalTimeout: '4s' });
    const l = await c.waitLeader();
    await c.run(l.driver.propose(bytes('x')));
    c.net.isolate(l.id);
    const settledAt = new Map<string, number>();
    const watch = (name: string, p: Promise<unknown>) =>
      outcome(p).then((r) => {
        settledAt.set(name, c.clock.now());
        return r;
      });
    const t0 = c.clock.now();
    const first = [watch('p1', l.driver.propose(bytes('p1'))), watch('p2', l.driver.propose(bytes('p2')))];
    await c.clock.advanceAsync(1500);
    const later = watch('p3', l.driver.propose(bytes('p3')));
    await c.clock.advanceAsync(2499);
    expect(settledAt.size).toBe(0);
    await c.clock.advanceAsync(1);
    for (const r of await Promise.all(first)) expect('error' in r && r.error).toBeInstanceOf(QuorumLostError);
    expect(settledAt.get('p1')).toBe(t0 + 4000);
    expect(settledAt.get('p2')).toBe(t0 + 4000);
    expect(settledAt.has('p3')).toBe(false);
    await c.clock.advanceAsync(1500);
    const r3 = await later;
    expect('error' in r3 && r3.error).toBeInstanceOf(QuorumLostError);
    expect(settledAt.get('p3')).toBe(t0 + 5500);
    c.close();
  });

  it('a burst of proposals arms one deadline timer, and cancels it once they all committed', async () => {
    const c = driverCluster(42);
    const l = await c.waitLeader();
    const armed: TimerHandle[] = [];
    const cleared: TimerHandle[] = [];
    const setTimeout = c.clock.setTimeout.bind(c.clock);
    const clearTimeout = c.clock.clearTimeout.bind(c.clock);
    vi.spyOn(c.clock, 'setTimeout').mockImplementation((fn, ms) => {
      const h = setTimeout(fn, ms);
      if (ms === 10_000) armed.push(h);
      return h;
    });
    vi.spyOn(c.clock, 'clearTimeout').mockImplementation((h) => {
      cleared.push(h);
      clearTimeout(h);
    });
    await c.run(Promise.all(Array.from({ length: 50 }, (_, i) => l.driver.propose(bytes(`v${i}`)))));
    expect(armed).toHaveLength(1);
    expect(cleared).toContain(armed[0]);
    c.close();
  });
});
