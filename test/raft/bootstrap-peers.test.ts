import { describe, expect, it } from 'vitest';
import { Random } from '../../src/runtime/index.js';
import { MemoryRaftStorage, RaftNode, decodeConfChange } from '../../src/raft/index.js';
import { Network } from './harness.js';

const ids = ['a', 'b', 'c'];

describe('peers bootstrap a brand-new cluster only', () => {
  it('an empty storage with peers writes one committed addVoter entry per peer, sorted', () => {
    const node = new RaftNode({ id: 'b', peers: ['c', 'a', 'b', 'a'], storage: new MemoryRaftStorage(), random: Random.fromSeed(1) });
    const rd = node.ready();
    expect(rd.entries.map((e) => [e.index, e.term, e.type])).toEqual([
      [1, 1, 'confChange'],
      [2, 1, 'confChange'],
      [3, 1, 'confChange'],
    ]);
    expect(rd.hardState).toEqual({ term: 1, vote: null, commit: 3 });
    expect(node.status().config).toEqual({ voters: ['a', 'b', 'c'], learners: [] });
  });

  it('a restarted member ignores the peers it is given: membership and log come from its storage', () => {
    const net = new Network(ids);
    net.elect('a');
    net.propose('a', 'x');
    const before = net.node('b').status();
    const logged: string[] = [];
    const restarted = net.restart('b', { peers: ['b', 'x', 'y', 'z'], logger: { debug: (message) => logged.push(message) } });
    expect(logged).toEqual(['peers ignored: the storage holds state']);
    // Nothing new to write: the peers did not turn into log entries; the committed log is
    // re-applied, conf changes included, which restores the membership.
    const rd = restarted.node.ready();
    expect(rd.entries).toEqual([]);
    expect(rd.committedEntries.filter((e) => e.type === 'confChange').map((e) => decodeConfChange(e.data).nodeId)).toEqual(['a', 'b', 'c']);
    for (const e of rd.committedEntries) if (e.type === 'confChange') restarted.node.applyConfChange(decodeConfChange(e.data));
    restarted.node.advance(rd);
    restarted.appliedIndex = rd.committedEntries.at(-1)?.index ?? 0;
    const status = restarted.node.status();
    expect(status.config).toEqual({ voters: ['a', 'b', 'c'], learners: [] });
    expect(status.lastIndex).toBe(before.lastIndex);
    expect(status.term).toBe(before.term);
    // And it still takes part in the cluster it belongs to.
    net.propose('a', 'y');
    expect(net.get('b').storage.lastIndex()).toBe(net.node('a').status().lastIndex);
  });

  it('peers are ignored too by a member whose storage holds only a snapshot (it joined via one)', () => {
    const storage = new MemoryRaftStorage();
    storage.applySnapshot({ metadata: { index: 10, term: 2, confState: { voters: ['a', 'b', 'c'], learners: ['d'] } }, data: new Uint8Array(0) });
    storage.sync();
    const node = new RaftNode({ id: 'd', peers: ['d'], storage, random: Random.fromSeed(2) });
    expect(node.status()).toMatchObject({ role: 'learner', lastIndex: 10, config: { voters: ['a', 'b', 'c'], learners: ['d'] } });
    node.campaign(); // a learner never campaigns, and the peers did not make it a voter
    expect(node.status().role).toBe('learner');
  });
});
