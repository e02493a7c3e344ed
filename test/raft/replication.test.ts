import { describe, expect, it } from 'vitest';
import { MemoryRaftStorage, NotLeaderError, RaftNode, type Entry, type Message } from '../../src/raft/index.js';
import { Random } from '../../src/runtime/index.js';
import { Network, bytes, text } from './harness.js';

const ids = ['a', 'b', 'c'];
const noFaults = { preVote: false, checkQuorum: false } as const;

describe('log replication and commitment', () => {
  it('a single-node cluster commits a proposal at once', () => {
    const net = new Network(['a']);
    net.elect('a');
    net.propose('a', 'x');
    expect(net.get('a').state).toEqual(['x']);
    expect(net.node('a').status().commit).toBe(net.node('a').status().lastIndex);
  });

  it('the leader appends an empty entry of its term on election', () => {
    const net = new Network(ids);
    net.elect('a');
    const st = net.node('a').status();
    const last = net.get('a').storage.entries(st.lastIndex, st.lastIndex + 1)[0] as Entry;
    expect(last.term).toBe(st.term);
    expect(last.data.byteLength).toBe(0);
    expect(st.commit).toBe(st.lastIndex);
  });

  it('proposals replicate to every node and apply in the same order', () => {
    const net = new Network(ids);
    net.elect('a');
    for (const x of ['1', '2', '3']) net.propose('a', x);
    for (const id of ids) expect(net.get(id).state).toEqual(['1', '2', '3']);
  });

  it('proposing on a follower throws NotLeaderError naming the leader', () => {
    const net = new Network(ids);
    net.elect('a');
    try {
      net.node('b').propose(bytes('x'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NotLeaderError);
      expect((e as NotLeaderError).leader).toBe('a');
      expect((e as NotLeaderError).code).toBe('NOT_LEADER');
    }
  });

  it('an entry commits once a majority has it, even with one follower down', () => {
    const net = new Network(ids);
    net.elect('a');
    net.isolate('c');
    net.propose('a', 'x');
    expect(net.get('a').state).toEqual(['x']);
    expect(net.get('c').state).toEqual([]);
    net.isolate('b');
    net.propose('a', 'y'); // only a has it: no majority
    expect(net.get('a').state).toEqual(['x']);
  });

  it('a follower drops a conflicting uncommitted suffix and takes the leader log (log matching)', () => {
    const net = new Network(ids, noFaults);
    net.elect('a');
    net.propose('a', 'committed');
    net.isolate('a');
    net.propose('a', 'stale1');
    net.propose('a', 'stale2');
    net.elect('b');
    net.propose('b', 'new');
    net.heal();
    net.tick(1, ['b']); // heartbeat: a learns the new term and is repaired
    net.deliverAll();
    for (const id of ids) expect(net.get(id).state).toEqual(['committed', 'new']);
    const last = net.node('b').status().lastIndex;
    const logOf = (id: string) => net.get(id).storage.entries(1, last + 1).map((e) => `${e.term}:${text(e.data)}`);
    expect(logOf('a')).toEqual(logOf('b'));
    expect(logOf('c')).toEqual(logOf('b'));
  });

  it('only entries of the current term commit by counting replicas (Raft figure 8)', () => {
    // Node a restarts with entries of term 1 (bootstrap) and term 2 (index 4), in term 3.
    const storage = new MemoryRaftStorage();
    const boot = new RaftNode({ id: 'a', peers: ids, storage, random: Random.fromSeed(1) });
    const rd = boot.ready();
    storage.append(rd.entries);
    storage.append([{ term: 2, index: 4, type: 'normal', data: bytes('old') }]);
    storage.setHardState({ term: 3, vote: null, commit: 3 });
    const a = new RaftNode({ id: 'a', storage, random: Random.fromSeed(1), ...noFaults });
    a.applyConfChange({ type: 'addVoter', nodeId: 'a' });
    a.applyConfChange({ type: 'addVoter', nodeId: 'b' });
    a.applyConfChange({ type: 'addVoter', nodeId: 'c' });
    const advance = () => {
      const r = a.ready();
      storage.append(r.entries);
      a.advance(r);
    };
    advance();
    a.campaign();
    a.step({ type: 'voteResp', from: 'b', to: 'a', term: 4 });
    expect(a.status().role).toBe('leader');
    advance();
    expect(a.status().lastIndex).toBe(5); // the no-op of term 4
    // b acknowledges index 4 (term 2): a majority (a, b) holds it, but it is not of term 4.
    a.step({ type: 'appResp', from: 'b', to: 'a', term: 4, index: 4 });
    expect(a.status().commit).toBe(3);
    // Once the term-4 entry is on a majority, both commit.
    a.step({ type: 'appResp', from: 'b', to: 'a', term: 4, index: 5 });
    expect(a.status().commit).toBe(5);
  });

  it('fast backtracking repairs a long divergent log in few round trips', () => {
    const net = new Network(ids, noFaults);
    net.elect('a');
    net.isolate('a');
    for (let i = 0; i < 60; i++) a_propose(net, `stale${i}`); // term 2, uncommitted
    net.elect('b');
    for (let i = 0; i < 60; i++) net.node('b').propose(bytes(`new${i}`)); // term 3
    net.deliverAll();
    // c leads term 4 and optimistically probes a at the end of its log, far past the divergence.
    net.elect('c');
    net.heal();
    const before = net.get('a').sent.length;
    net.tick(1, ['c']);
    net.deliverAll();
    const rejects = net.get('a').sent.slice(before).filter((m) => m.type === 'appResp' && m.reject === true);
    expect(rejects.length).toBeGreaterThan(0);
    expect(rejects.length).toBeLessThanOrEqual(3);
    expect(net.get('a').state).toEqual(net.get('c').state);
  });

  it('bounds the append messages in flight to one follower (maxInflightMsgs)', () => {
    const net = new Network(ids, { ...noFaults, maxInflightMsgs: 2 });
    net.elect('a');
    net.propose('a', 'warmup'); // followers are now pipelining (replicate state)
    // c receives appends but its acknowledgements are lost.
    net.filter = (m: Message) => !(m.from === 'c' && m.type === 'appResp');
    const before = net.get('a').sent.length;
    for (let i = 0; i < 10; i++) net.propose('a', `x${i}`);
    // Empty appends (commit propagation) carry no entries and take no slot; count the others.
    const withEntries = (to: string) => net.get('a').sent.slice(before).filter((m) => m.to === to && m.type === 'app' && (m.entries?.length ?? 0) > 0);
    const toC = withEntries('c');
    const toB = withEntries('b');
    expect(toC.length).toBe(2);
    expect(toB.length).toBe(10);
    expect(net.node('a').status().progress?.c?.inflight).toBe(2);
    // Once acks flow again, c catches up.
    net.filter = undefined;
    net.tick(2, ['a']);
    expect(net.get('c').state).toEqual(net.get('a').state);
  });

  it('batches catch-up appends within maxSizePerMsg', () => {
    const net = new Network(ids, { ...noFaults, maxSizePerMsg: 500 });
    net.elect('a');
    net.isolate('c');
    for (let i = 0; i < 20; i++) net.propose('a', 'x'.repeat(100));
    net.heal();
    const before = net.get('a').sent.length;
    net.tick(3, ['a']);
    const apps = net.get('a').sent.slice(before).filter((m) => m.to === 'c' && m.type === 'app' && (m.entries?.length ?? 0) > 0);
    expect(apps.length).toBeGreaterThan(1);
    for (const m of apps) expect((m.entries ?? []).reduce((n, e) => n + e.data.byteLength + 16, 0)).toBeLessThanOrEqual(500);
    expect(net.get('c').state).toEqual(net.get('a').state);
  });

  it('a restarted node recovers its log and hard state from storage', () => {
    const net = new Network(ids);
    net.elect('a');
    net.propose('a', 'x');
    const before = net.node('b').status();
    net.restart('b');
    const after = net.node('b').status();
    expect(after.term).toBe(before.term);
    expect(after.commit).toBe(before.commit);
    expect(after.lastIndex).toBe(before.lastIndex);
    net.flushReady();
    expect(net.get('b').state).toEqual(['x']);
    net.propose('a', 'y');
    expect(net.get('b').state).toEqual(['x', 'y']);
  });
});

describe('crash recovery', () => {
  it('a crash loses only what was not synced: term, vote and entries survive, the commit index may lag', () => {
    const net = new Network(ids);
    net.elect('a');
    net.propose('a', 'x');
    const before = net.node('b').status();
    net.restart('b', {}, true);
    const after = net.node('b').status();
    expect(after.term).toBe(before.term);
    expect(after.vote).toBe(before.vote);
    expect(after.lastIndex).toBe(before.lastIndex);
    expect(after.commit).toBeLessThanOrEqual(before.commit);
    net.tick(1, ['a']); // a heartbeat brings the commit index back
    expect(net.get('b').state).toEqual(['x']);
  });
});

function a_propose(net: Network, data: string): void {
  net.node('a').propose(bytes(data));
  net.deliverAll();
}
