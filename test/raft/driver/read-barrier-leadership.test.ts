import { describe, expect, it } from 'vitest';
import { NotLeaderError, ReadIndexDroppedError, type RaftMessage } from '../../../src/raft/index.js';
import { QuorumLostError } from '../../../src/errors/index.js';
import { bytes, driverCluster, outcome } from './cluster.js';

describe('RaftDriver read barriers across leadership changes', () => {
  it('a leader that loses its leadership fails its pending reads at once with ReadIndexDroppedError', async () => {
    const c = driverCluster(11);
    const l = await c.waitLeader();
    await c.run(l.driver.propose(bytes('x')));
    c.net.isolate(l.id);
    const read = outcome(l.driver.readBarrier());
    const t0 = c.clock.now();
    // Check-quorum demotes the cut-off leader within about an election timeout (10 ticks of 100 ms).
    expect(await c.clock.advanceUntilAsync(() => !l.driver.isLeader, { timeout: '5s' })).toBe(true);
    await c.clock.advanceAsync(1);
    const result = await read;
    expect('error' in result && result.error).toBeInstanceOf(ReadIndexDroppedError);
    expect('error' in result && result.error).toBeInstanceOf(NotLeaderError);
    expect(c.clock.now() - t0).toBeLessThan(5_000); // not the 10 s proposal timeout
    c.close();
  });

  it("a follower's read forwarded to a leader that is then cut off fails once a new leader is known", async () => {
    const c = driverCluster(12);
    const l = await c.waitLeader();
    await c.run(l.driver.propose(bytes('x')));
    const f = c.members.find((m) => m !== l)!;
    const read = outcome(f.driver.readBarrier());
    c.net.isolate(l.id); // the forwarded request is lost with it
    expect(await c.clock.advanceUntilAsync(() => c.members.some((m) => m !== l && m.driver.isLeader), { timeout: '10s' })).toBe(true);
    await c.clock.advanceAsync(1);
    const result = await read;
    expect('error' in result && result.error).toBeInstanceOf(ReadIndexDroppedError);
    // A new read at the new leader succeeds.
    const index = await c.run(f.driver.readBarrier());
    expect(index).toBeGreaterThan(0);
    c.close();
  });

  it('a read still times out with QuorumLostError when nothing ever answers', async () => {
    const c = driverCluster(13);
    const l = await c.waitLeader();
    await c.run(l.driver.propose(bytes('x'))); // every follower knows the leader
    const f = c.members.find((m) => m !== l)!;
    c.net.partitionOneWay([f.id], c.members.filter((m) => m !== f).map((m) => m.id));
    const read = outcome(f.driver.readBarrier());
    await c.clock.advanceAsync('11s');
    const result = await read;
    expect('error' in result && result.error).toBeInstanceOf(QuorumLostError);
    c.close();
  });

  // Bug: read contexts were `<id>:<n>` with n counted from 1 by every driver, so a restarted
  // member's first read had the same context as its previous incarnation's first read, and a
  // confirmation of the old read still on the wire resolved the new one at a stale index.
  it('a confirmation meant for an earlier incarnation of a member never resolves a new read', async () => {
    const c = driverCluster(14);
    const l = await c.waitLeader();
    await c.run(l.driver.propose(bytes('x')));
    let f = c.members.find((m) => m !== l)!;
    const contexts: Uint8Array[] = [];
    c.net.onTrace((ev) => {
      if (ev.kind === 'send' && ev.message.type === 'readIndex' && ev.message.context !== undefined) contexts.push(ev.message.context);
    });
    await c.run(f.driver.readBarrier());
    const stale = contexts[0]!;
    // Same id, storage, random stream and virtual time: only the driver instance differs.
    f = c.restart(f, 1);
    await c.clock.advanceAsync('1s');
    await c.run(l.driver.propose(bytes('y')));
    c.net.partitionOneWay([f.id], [l.id]); // the new read cannot reach the leader
    const read = outcome(f.driver.readBarrier());
    let settled = false;
    void read.then(() => (settled = true));
    // An old confirmation (index 1) arrives, as a transport may deliver it late.
    const spy = c.net.endpoint('spy');
    const forged: RaftMessage = { type: 'readIndexResp', from: l.id, to: f.id, term: l.driver.status().term, index: 1, context: stale };
    spy.send(f.id, forged);
    await c.clock.advanceAsync(50);
    expect(settled).toBe(false);
    c.close();
  });
});
