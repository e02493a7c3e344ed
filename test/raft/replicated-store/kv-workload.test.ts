import { describe, expect, it } from 'vitest';
import { kvCas, kvDelete, kvRead, kvWrite } from './kv-operations.js';
import { converge, leaderOf, settle, startCluster } from './cluster-helpers.js';
import { scenarioProblems, scenarioReport } from './kv-report.js';
import { runKvScenario } from './kv-scenario.js';
import { ClusterViolation } from './store-cluster.js';

describe('the replicated KV workload', () => {
  it('behaves as a register per key on a healthy cluster: write, read, compare-and-set, delete', async () => {
    const cluster = await startCluster(3, 5);
    try {
      const l = await leaderOf(cluster);
      const m = { store: l.store!, driver: l.driver! };
      const run = async <T>(p: Promise<T>): Promise<T> => {
        const r = await settle(cluster, p);
        if (!r.ok) throw r.error;
        return r.value;
      };
      const read = async () => (await run(kvRead(m, 'x', 'barrier'))).value;
      expect(await read()).toBe(null);
      await run(kvWrite(m, 'x', 1));
      expect(await read()).toBe(1);
      expect(await run(kvCas(m, 'x', 1, 2, 'barrier'))).toBe(true);
      expect(await run(kvCas(m, 'x', 1, 3, 'barrier'))).toBe(false);
      expect(await read()).toBe(2);
      await run(kvDelete(m, 'x'));
      expect(await read()).toBe(null);
      expect(await run(kvCas(m, 'x', null, 4, 'barrier'))).toBe(true);
      await converge(cluster);
      for (const other of cluster.managers) expect((await run(kvRead({ store: other.store!, driver: other.driver! }, 'x', 'barrier'))).value).toBe(4);
    } finally {
      cluster.close();
    }
  });

  it('replays a seed exactly: same events, same history', async () => {
    const a = await runKvScenario({ seed: 14 });
    const b = await runKvScenario({ seed: 14 });
    expect(a.stats.invoked).toBeGreaterThan(50);
    expect(b.digest).toBe(a.digest);
    expect(b.history).toEqual(a.history);
  });

  it('catches stale reads: reading a store without a read barrier is reported, with its seed', async () => {
    let first;
    for (let seed = 1; seed <= 10 && first === undefined; seed++) {
      const r = await runKvScenario({ seed, readMode: 'local', followerReads: 0.5, safetyMs: 2_000 });
      if (r.check.result === 'illegal') first = r;
    }
    expect(first, 'one of ten seeds reads a stale value').toBeDefined();
    if (first === undefined) return;
    expect(scenarioProblems(first)).toContain('the history is not linearizable');
    const report = scenarioReport(first, 'some.test.ts');
    expect(report).toMatch(new RegExp(`^SEED=${first.settings.seed}\\nreplay: SEED=${first.settings.seed} npx vitest run some.test.ts`));
    expect(report).toContain('Not linearizable');
  });

  it('reports managers that applied the same index but hold different stores', async () => {
    const cluster = await startCluster(3, 6);
    try {
      const l = await leaderOf(cluster);
      expect((await settle(cluster, kvWrite({ store: l.store!, driver: l.driver! }, 'x', 1))).ok).toBe(true);
      await converge(cluster);
      // Corrupt one follower's store behind raft's back.
      const f = cluster.managers.find((m) => m !== l)!;
      f.store!.applyTransaction({ actions: [{ op: 'create', kind: 'config', object: { id: 'rogue', meta: { version: 0, createdAt: 0, updatedAt: 0 }, spec: { name: 'rogue', data: new Uint8Array(0) } } }] }, f.store!.index + 1);
      const err = await cluster.runFor(100).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterViolation);
      expect((err as ClusterViolation).property).toBe('replicas-agree');
    } finally {
      cluster.close();
    }
  });
});
