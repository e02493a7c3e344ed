import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../src/errors/index.js';
import { MemoryRaftStorage, RaftNode } from '../../src/raft/index.js';
import { Random } from '../../src/runtime/index.js';

function fresh(peers = ['a']) {
  const storage = new MemoryRaftStorage();
  const node = new RaftNode({ id: 'a', peers, storage, random: Random.fromSeed(1) });
  return { storage, node };
}

describe('Ready and advance', () => {
  it('a bootstrapped node first asks to persist its bootstrap entries and hard state, and to apply them', () => {
    const { node } = fresh(['c', 'a', 'b']);
    expect(node.hasReady()).toBe(true);
    const rd = node.ready();
    expect(rd.entries.map((e) => [e.index, e.term, e.type])).toEqual([
      [1, 1, 'confChange'],
      [2, 1, 'confChange'],
      [3, 1, 'confChange'],
    ]);
    expect(rd.hardState).toEqual({ term: 1, vote: null, commit: 3 });
    expect(rd.committedEntries).toHaveLength(3);
    expect(rd.mustSync).toBe(true);
    node.advance(rd);
    expect(node.hasReady()).toBe(false);
    expect(node.status().applied).toBe(3);
  });

  it('requires advance before the next ready, with the same Ready', () => {
    const { node } = fresh();
    const rd = node.ready();
    expect(() => node.ready()).toThrow(InvalidStateError);
    expect(() => node.advance({ ...rd })).toThrow(InvalidStateError);
    node.advance(rd);
  });

  it('reports soft state only when it changes, and a commit-only change does not need a sync', () => {
    const { storage, node } = fresh();
    const persist = () => {
      const rd = node.ready();
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
      node.advance(rd);
      return rd;
    };
    persist();
    node.campaign();
    const rd = persist();
    expect(rd.softState).toEqual({ leader: 'a', role: 'leader' });
    expect(rd.mustSync).toBe(true);
    node.propose(new Uint8Array([1]));
    const rd2 = persist();
    expect(rd2.softState).toBeUndefined();
    expect(rd2.entries).toHaveLength(1);
    expect(rd2.committedEntries.map((e) => e.data)).toEqual([new Uint8Array([1])]);
    expect(node.hasReady()).toBe(false);
  });

  it('a restarted node re-emits committed entries after its snapshot, or after `applied` when given', () => {
    const { storage, node } = fresh();
    const rd = node.ready();
    storage.append(rd.entries);
    storage.setHardState(rd.hardState ?? { term: 0, vote: null, commit: 0 });
    node.advance(rd);
    const again = new RaftNode({ id: 'a', storage, random: Random.fromSeed(1) });
    expect(again.ready().committedEntries).toHaveLength(1);
    const resumed = new RaftNode({ id: 'a', storage, random: Random.fromSeed(1), applied: 1 });
    expect(resumed.hasReady()).toBe(false);
  });

  it('validates its options', () => {
    const storage = new MemoryRaftStorage();
    expect(() => new RaftNode({ id: 'a', storage, random: Random.fromSeed(1), electionTick: 1, heartbeatTick: 1 })).toThrow(RangeError);
  });
});
