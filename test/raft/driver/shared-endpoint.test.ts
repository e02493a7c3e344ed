import { describe, expect, it, vi } from 'vitest';
import { isRaftMessage } from '../../../src/raft/index.js';
import type { TransportEndpoint } from '../../../src/transport/index.js';
import { bytes, driverCluster } from './cluster.js';

describe('isRaftMessage', () => {
  it('accepts every raft message shape and nothing else', () => {
    expect(isRaftMessage({ type: 'app', from: 'a', to: 'b', term: 3, index: 0, entries: [] })).toBe(true);
    expect(isRaftMessage({ type: 'heartbeatResp', from: 'a', to: 'b', term: 0 })).toBe(true);
    for (const junk of [
      null,
      undefined,
      'app',
      42,
      [],
      { kind: 'rpc', id: 1 },
      { type: 'rpcRequest', from: 'a', to: 'b', term: 1 },
      { type: 'app', from: 1, to: 'b', term: 1 },
      { type: 'app', from: 'a', term: 1 },
      { type: 'app', from: 'a', to: 'b' },
      { type: 'app', from: 'a', to: 'b', term: -1 },
      { type: 'app', from: 'a', to: 'b', term: 1.5 },
      { type: 'app', from: 'a', to: 'b', term: '1' },
      { type: 'toString', from: 'a', to: 'b', term: 1 },
    ]) {
      expect(isRaftMessage(junk), JSON.stringify(junk) ?? String(junk)).toBe(false);
    }
  });
});

describe('RaftDriver on an endpoint shared with other protocols', () => {
  it('ignores whatever is not a raft message for it, without stepping the core, and keeps working', async () => {
    const c = driverCluster(21);
    const l = await c.waitLeader();
    const f = c.members.find((m) => m !== l)!;
    const step = vi.spyOn(f.driver.node, 'step');
    const others: unknown[] = [];
    f.endpoint.onMessage((m) => {
      if (!isRaftMessage(m)) others.push(m);
    });
    // The network is typed for raft messages; other protocols' traffic shares it at run time.
    const rpc = c.net.endpoint('dispatcher-client') as unknown as TransportEndpoint<unknown>;
    const junk: unknown[] = [
      { kind: 'rpc', method: 'session', id: 1 },
      'hello',
      7,
      null,
      { type: 'app', from: l.id, to: f.id }, // no term: not raft-shaped
      { type: 'heartbeat', from: l.id, to: 'someone-else', term: 99 }, // raft, but not for this member
    ];
    for (const m of junk) rpc.send(f.id, m);
    await c.clock.advanceAsync(50);
    // The core saw the leader's traffic only (heartbeats keep flowing meanwhile).
    for (const [m] of step.mock.calls) expect(m).toMatchObject({ from: l.id, to: f.id, term: l.driver.status().term });
    expect(others).toEqual(junk.slice(0, 5));
    expect(f.driver.status().term).toBe(l.driver.status().term); // term 99 was not taken up
    step.mockRestore();
    await c.run(l.driver.propose(bytes('still fine')));
    await c.clock.advanceAsync(50);
    expect(f.machine.items).toEqual(['still fine']);
    c.close();
  });
});
