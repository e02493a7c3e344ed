import { describe, expect, it } from 'vitest';
import { HistoryRecorder, checkLinearizable, describeViolation, kvModel } from '../../support/linearizability/index.js';
import { converge, leaderOf, recordedRead, recordedWrite, settle, startCluster } from './cluster-helpers.js';
import type { Manager } from './store-cluster.js';

/**
 * Five managers; a write x = 12 is appended by a leader that is then cut off, its entry replaced in
 * the leader's own log by a newer leader's, and a newer proposal of the old leader takes its index;
 * meanwhile another member keeps the old entry and later leads and commits it. Returns how x's write
 * ended and what a linearizable read of x returned at the end.
 */
async function overwrittenProposal() {
  const cluster = await startCluster(5, 2);
  try {
    const rec = new HistoryRecorder({ now: () => cluster.clock.now() });
    const s1 = await leaderOf(cluster);
    expect(await settle(cluster, recordedWrite(rec, 'base', s1, 'x', 1))).toEqual({ ok: true, value: 'ok' });
    await converge(cluster);
    const [s2, ...rest] = cluster.managers.filter((m) => m !== s1) as [Manager, Manager, Manager, Manager];
    const ids = (ms: readonly Manager[]) => ms.map((m) => m.id);
    const trace = () => cluster.trace.recent().join('\n');

    // 1. s1 and s2 are cut off from the rest; s1, still leading, appends three writes that reach s2 only.
    for (const a of rest) for (const b of rest) if (a !== b) cluster.rules.drop({ from: a.id, to: b.id, type: 'app' });
    cluster.network.partition(ids([s1, s2]), ids(rest));
    const u = recordedWrite(rec, 'u', s1, 'u', 10);
    const w = recordedWrite(rec, 'w', s1, 'w', 11);
    const x = recordedWrite(rec, 'x', s1, 'x', 12);
    await cluster.runFor(50);
    // 2. The other three elect a leader, whose first entry reaches none of them (appends among them are lost).
    const l2 = await leaderOf(cluster, rest);
    const [a, b] = rest.filter((m) => m !== l2) as [Manager, Manager];
    // 3. s2 is isolated; s1 hears from l2, whose entry replaces s1's three writes in s1's log.
    cluster.network.heal();
    cluster.network.isolate(s2.id);
    expect(await cluster.runUntil(() => s1.driver!.status().term === l2.driver!.status().term && s1.storage!.lastIndex() < s2.storage!.lastIndex(), 5_000), trace()).toBe(true);
    // 4. l2 stops; s1 (the most up to date of s1, a, b) is elected, and a new write takes the index x had.
    cluster.rules.drop({ from: s1.id, type: 'app' });
    l2.crash();
    await leaderOf(cluster, [s1, a, b]);
    const z = recordedWrite(rec, 'z', s1, 'z', 20);
    expect(await cluster.runUntil(() => s1.storage!.lastIndex() >= s2.storage!.lastIndex(), 1_000), trace()).toBe(true);
    // 5. s1 is cut off; s2, which still holds x, is elected by a and b and commits its log.
    cluster.rules.clear();
    cluster.network.heal();
    cluster.network.isolate(s1.id);
    cluster.network.isolate(l2.id);
    const s2Leads = await leaderOf(cluster, [s2, a, b]);
    const read = await settle(cluster, recordedRead(rec, 'r', s2Leads, 'x'));
    void [u, w, x, z];
    const xOp = rec.history().find((op) => op.client === 'x');
    return { xStatus: xOp?.status, xError: xOp?.error, read: read.ok ? read.value : undefined, check: checkLinearizable(rec.history(), kvModel()), trace: trace() };
  } finally {
    cluster.close();
  }
}

describe('ProposalLostError means the write never takes effect', () => {
  // Regression, found by this harness on HEAD 48db908 (src/raft/driver.ts, track): when a new
  // proposal landed at the index of a proposal still pending on the same member, the driver
  // rejected the older one at once with ProposalLostError ("entry N was replaced"), documented as
  // definitely lost. But the older entry may survive in another member's log and still be
  // committed by a later leader (the Raft paper's figure 8), so a write reported as failed took
  // effect. Deterministic (cluster seed 2). Trace on HEAD, 5 managers: m2 leads term 2 and appends
  // u@8, w@9, x=12@10, reaching m1 only (m1, m2 cut off from m3, m4, m5); m3 leads term 3, its
  // no-op@8 reaches m2 only (replacing m2's 8..10); m3 crashes; m2 leads term 4 with m4, m5 and
  // appends its no-op@9 and z@10: x's proposal is rejected with "entry 10 was replaced" (its
  // appends reach nobody); m2 is cut off; m1, which still holds 8..10 from term 2, leads term 5
  // with m4, m5 and commits its no-op@11, which commits x=12@10; a linearizable read returns 12.
  // The reworked driver (ProposalTracker) keeps such a proposal pending until an entry commits at
  // its index, or reports its outcome unknown at its deadline.
  it('is not reported for a write whose entry survives on another member and is committed there later', async () => {
    const r = await overwrittenProposal();
    // The scenario played out: the overwritten entry was committed by a later leader.
    expect(r.read, r.trace).toBe(12);
    expect(r.xStatus).not.toBe('ok');
    expect(r.check.result, `x read as ${String(r.read)} after its write was reported ${String(r.xStatus)} (${String(r.xError)})\n${describeViolation(r.check)}\n${r.trace}`).toBe('ok');
  });
});
