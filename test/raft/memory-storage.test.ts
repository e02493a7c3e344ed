import { describe, expect, it } from 'vitest';
import { MemoryRaftStorage, type Entry } from '../../src/raft/index.js';
import { raftStorageContract } from './storage-contract.js';

raftStorageContract('MemoryRaftStorage', () => new MemoryRaftStorage());

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array(0) });

describe('MemoryRaftStorage durability model', () => {
  it('a crash drops every write since the last sync, and keeps the synced ones', () => {
    const s = new MemoryRaftStorage();
    s.append([e(1, 1), e(2, 1)]);
    s.setHardState({ term: 1, vote: 'a', commit: 1 });
    s.sync();
    s.append([e(3, 1)]);
    s.setHardState({ term: 2, vote: null, commit: 2 });
    s.crash();
    expect(s.lastIndex()).toBe(2);
    expect(s.initialState().hardState).toEqual({ term: 1, vote: 'a', commit: 1 });
  });

  it('a crash before any sync leaves an empty storage', () => {
    const s = new MemoryRaftStorage();
    s.append([e(1, 1)]);
    s.crash();
    expect(s.lastIndex()).toBe(0);
  });
});
