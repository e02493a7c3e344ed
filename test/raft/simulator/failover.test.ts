import { describe, expect, it } from 'vitest';
import { measureFailover } from '../../../src/testing/raft-simulator/index.js';
import { REPLAY_SEED } from './sweep-config.js';

describe.skipIf(REPLAY_SEED !== undefined)('measureFailover', () => {
  it('times the election and first commit after a leader crash, deterministically', async () => {
    const a = await measureFailover({ seed: 7 });
    const b = await measureFailover({ seed: 7 });
    expect(b).toEqual(a);
    expect(a.newLeader).not.toBe(a.crashedLeader);
    expect(a.electedAfterMs).toBeGreaterThan(0);
    expect(a.committedAfterMs).toBeGreaterThanOrEqual(a.electedAfterMs);
  });

  it('stays within one to two election timeouts under default settings (3 and 5 members)', async () => {
    for (const members of [3, 5]) {
      const runs = [];
      for (let seed = 1; seed <= 30; seed++) runs.push(await measureFailover({ seed, members }));
      const commits = runs.map((r) => r.committedAfterMs).sort((x, y) => x - y);
      // Followers wait 10 to 20 ticks of 100 ms without a heartbeat, then a round trip or two.
      expect(commits[0]).toBeGreaterThan(900);
      expect(commits[commits.length - 1]).toBeLessThan(2_000);
      expect(new Set(runs.map((r) => r.newLeader)).size).toBeGreaterThan(1);
    }
  });

  it('scales with the election timeout', async () => {
    const fast = await measureFailover({ seed: 3, tickInterval: 10 });
    expect(fast.committedAfterMs).toBeLessThan(300);
  });
});
