import { describe, expect, it } from 'vitest';
import { HistoryRecorder, checkLinearizable, describeViolation, kvModel, type CheckResult } from '../../support/linearizability/index.js';
import { converge, leaderOf, recordedRead, recordedWrite, settle, startCluster } from './cluster-helpers.js';
import type { KvValue } from './kv-operations.js';

/**
 * A follower's read barrier (ReadIndex) is forwarded to the leader, which answers once a quorum
 * has confirmed it still leads. Here the confirmation is held back (heartbeat answers to the
 * leader are dropped) while the follower asks for a read; then, optionally, the follower restarts;
 * x = 2 is written and acknowledged; a new read goes through the follower (which gets no appends,
 * so it still holds x = 1); finally the confirmations flow again.
 */
async function readThroughFollower(restart: boolean): Promise<{ value: KvValue | undefined; check: CheckResult }> {
  const cluster = await startCluster(3, 1);
  try {
    const rec = new HistoryRecorder({ now: () => cluster.clock.now() });
    const leader = await leaderOf(cluster);
    const f = cluster.managers.find((m) => m !== leader)!;
    expect(await settle(cluster, recordedWrite(rec, 'w', leader, 'x', 1))).toEqual({ ok: true, value: 'ok' });
    await converge(cluster);

    const heartbeatsBack = cluster.rules.drop({ to: leader.id, type: 'heartbeatResp' });
    const first = f.driver!.readBarrier();
    first.catch(() => undefined);
    await cluster.runFor(20); // the leader has registered f's read
    if (restart) {
      f.crash();
      f.start();
    }
    const appendsBack = cluster.rules.drop({ from: leader.id, to: f.id, type: 'app' });
    expect(await cluster.runUntil(() => f.driver?.leader === leader.id, 1_000)).toBe(true);
    expect(await settle(cluster, recordedWrite(rec, 'w', leader, 'x', 2))).toEqual({ ok: true, value: 'ok' });
    const read = recordedRead(rec, 'r', f, 'x');
    await cluster.runFor(20);
    heartbeatsBack();
    await cluster.runFor(500);
    appendsBack(); // a correct read waits for x = 2 to reach f
    const outcome = await settle(cluster, read, 5_000);
    const value = outcome.ok ? outcome.value : undefined;
    expect(leader.isLeader, 'the leader kept its leadership throughout').toBe(true);
    return { value, check: checkLinearizable(rec.history(), kvModel()) };
  } finally {
    cluster.close();
  }
}

describe('ReadIndex reads through a follower', () => {
  it('wait for every write acknowledged before the read began', async () => {
    const { value, check } = await readThroughFollower(false);
    expect(value).toBe(2);
    expect(check.result, describeViolation(check)).toBe('ok');
  });

  // Regression, found by this harness on HEAD 48db908 (src/raft/driver.ts, readBarrier): the read
  // context was `${id}:${++readSeq}` with readSeq starting at 0 in every RaftDriver, so a restarted
  // member reused the contexts of its previous run. The leader still held the previous run's
  // pending read (registered at the old commit index); the restarted follower's first read had the
  // same context: the leader ignored it as a duplicate and, once confirmed, answered the old one
  // with the old index, which the follower took as the answer to its new read, returning x = 1
  // although x = 2 was acknowledged before the read began. Deterministic (cluster seed 1). Trace on
  // HEAD: leader m3 registers m1's read "m1:1" at commit index 5 (x = 1); m1 crashes and restarts
  // at once; x = 2 commits at index 6 through m2 and is acknowledged; m1's new first read "m1:1"
  // reaches m3, which drops it as a duplicate; heartbeat answers resume; m3 answers "m1:1" with
  // index 5; m1 (applied 5) resolves its new read and reads 1. The reworked driver puts a random
  // per-run nonce in the context.
  it('do not take the answer to a read the follower asked for before it restarted', async () => {
    const { value, check } = await readThroughFollower(true);
    expect(value).toBe(2);
    expect(check.result, `read returned ${String(value)}\n${describeViolation(check)}`).toBe('ok');
  });
});
