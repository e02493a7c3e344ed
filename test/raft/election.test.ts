import { describe, expect, it } from 'vitest';
import { MemoryRaftStorage, RaftNode, type Message } from '../../src/raft/index.js';
import { Random } from '../../src/runtime/index.js';
import { Network } from './harness.js';

const msg = (m: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message => m;

const storages = new WeakMap<RaftNode, MemoryRaftStorage>();

function lone(id: string, peers: string[], opts: { preVote?: boolean; checkQuorum?: boolean } = {}): RaftNode {
  const storage = new MemoryRaftStorage();
  const node = new RaftNode({ id, peers, storage, random: Random.fromSeed(id), preVote: false, checkQuorum: false, ...opts });
  storages.set(node, storage);
  return node;
}

/** Persists and advances every Ready; returns the messages sent. */
function drain(node: RaftNode): Message[] {
  const storage = storages.get(node) as MemoryRaftStorage;
  const out: Message[] = [];
  while (node.hasReady()) {
    const rd = node.ready();
    storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    out.push(...rd.messages);
    node.advance(rd);
  }
  return out;
}

describe('elections', () => {
  it('a single node elects itself after an election timeout', () => {
    const net = new Network(['a']);
    expect(net.node('a').status().role).toBe('follower');
    net.tick(20);
    const st = net.node('a').status();
    expect(st.role).toBe('leader');
    expect(st.leader).toBe('a');
    expect(st.term).toBe(2); // bootstrap term 1, then one election
  });

  it('the randomized election timeout lies in [electionTick, 2 * electionTick)', () => {
    for (let seed = 0; seed < 30; seed++) {
      const storage = new MemoryRaftStorage();
      const node = new RaftNode({ id: 'a', peers: ['a'], storage, random: Random.fromSeed(seed), electionTick: 10, preVote: false });
      // Apply the bootstrap entries first: a node does not campaign with unapplied conf changes.
      const rd = node.ready();
      storage.append(rd.entries);
      node.advance(rd);
      let ticks = 0;
      while (node.status().role !== 'leader') {
        node.tick();
        ticks++;
        if (ticks > 100) throw new Error('no election');
      }
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
    }
  });

  it('a 3-node cluster elects exactly one leader, and followers learn it', () => {
    const net = new Network(['a', 'b', 'c'], { seed: 7 });
    const leader = net.tickUntilLeader();
    net.tick(3);
    expect(net.leaders()).toEqual([leader]);
    for (const id of ['a', 'b', 'c']) expect(net.node(id).status().leader).toBe(leader);
    const terms = new Set(['a', 'b', 'c'].map((id) => net.node(id).status().term));
    expect(terms.size).toBe(1);
  });

  it('a node votes only once per term', () => {
    const a = lone('a', ['a', 'b', 'c']);
    drain(a);
    a.step(msg({ type: 'vote', from: 'b', to: 'a', term: 5, index: 10, logTerm: 5 }));
    a.step(msg({ type: 'vote', from: 'c', to: 'a', term: 5, index: 10, logTerm: 5 }));
    const resp = drain(a).filter((m) => m.type === 'voteResp');
    expect(resp.map((m) => [m.to, m.reject === true])).toEqual([
      ['b', false],
      ['c', true],
    ]);
    expect(a.status().vote).toBe('b');
    // The same candidate asking again gets the vote again (idempotent).
    a.step(msg({ type: 'vote', from: 'b', to: 'a', term: 5, index: 10, logTerm: 5 }));
    expect(drain(a).filter((m) => m.type === 'voteResp')[0]?.reject).toBeUndefined();
  });

  it('the vote is in the hard state of the Ready that carries the grant (persist before send)', () => {
    const a = lone('a', ['a', 'b', 'c']);
    drain(a);
    a.step(msg({ type: 'vote', from: 'b', to: 'a', term: 5, index: 10, logTerm: 5 }));
    const rd = a.ready();
    expect(rd.hardState).toMatchObject({ term: 5, vote: 'b' });
    expect(rd.mustSync).toBe(true);
    expect(rd.messages.some((m) => m.type === 'voteResp')).toBe(true);
    a.advance(rd);
  });

  it('a candidate with a stale log is refused (election restriction)', () => {
    const a = lone('a', ['a', 'b', 'c']);
    drain(a);
    // a's log: bootstrap entries 1..3 at term 1. A candidate whose last entry is (2, term 1) is behind.
    a.step(msg({ type: 'vote', from: 'b', to: 'a', term: 2, index: 2, logTerm: 1 }));
    // A candidate with an older last term but a longer log is behind too.
    a.step(msg({ type: 'vote', from: 'c', to: 'a', term: 3, index: 50, logTerm: 0 }));
    const resp = drain(a).filter((m) => m.type === 'voteResp');
    expect(resp.map((m) => m.reject)).toEqual([true, true]);
    expect(a.status().vote).toBeNull();
    // Up to date: same last term and index.
    a.step(msg({ type: 'vote', from: 'b', to: 'a', term: 4, index: 3, logTerm: 1 }));
    expect(drain(a).filter((m) => m.type === 'voteResp')[0]?.reject).toBeUndefined();
  });

  it('a node behind on its log cannot win an election in the cluster', () => {
    const net = new Network(['a', 'b', 'c'], { seed: 3 });
    net.elect('a');
    net.isolate('c');
    net.propose('a', 'x');
    net.heal();
    // c campaigns with a shorter log: a and b refuse.
    net.node('c').campaign();
    net.deliverAll();
    expect(net.node('c').status().role).not.toBe('leader');
  });

  it('a leader steps down when it sees a higher term', () => {
    const net = new Network(['a', 'b', 'c'], { seed: 5, preVote: false, checkQuorum: false });
    net.elect('a');
    expect(net.node('a').status().role).toBe('leader');
    const term = net.node('a').status().term;
    net.node('a').step(msg({ type: 'appResp', from: 'b', to: 'a', term: term + 3, index: 0 }));
    const st = net.node('a').status();
    expect(st.role).toBe('follower');
    expect(st.term).toBe(term + 3);
    expect(st.leader).toBeNull();
  });

  it('the higher term wins: a new election deposes the old leader', () => {
    const net = new Network(['a', 'b', 'c'], { seed: 5, preVote: false, checkQuorum: false });
    net.elect('a');
    net.elect('b');
    expect(net.leaders()).toEqual(['b']);
    expect(net.node('a').status().leader).toBe('b');
    expect(net.node('b').status().term).toBeGreaterThan(2);
  });

  it('messages from an older term are ignored', () => {
    const net = new Network(['a', 'b', 'c'], { seed: 5, preVote: false, checkQuorum: false });
    net.elect('a');
    net.elect('b');
    const before = net.node('c').status();
    net.node('c').step(msg({ type: 'app', from: 'a', to: 'c', term: 2, index: 4, logTerm: 2, entries: [{ term: 2, index: 5, type: 'normal', data: new Uint8Array([1]) }], commit: 5 }));
    const after = net.node('c').status();
    expect(after.lastIndex).toBe(before.lastIndex);
    expect(after.leader).toBe('b');
  });

  it('a candidate that loses the vote becomes a follower', () => {
    const a = lone('a', ['a', 'b', 'c']);
    drain(a);
    a.campaign();
    const term = a.status().term;
    expect(a.status().role).toBe('candidate');
    a.step(msg({ type: 'voteResp', from: 'b', to: 'a', term, reject: true }));
    a.step(msg({ type: 'voteResp', from: 'c', to: 'a', term, reject: true }));
    expect(a.status().role).toBe('follower');
  });
});
