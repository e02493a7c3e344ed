/**
 * The behavioural contract of RaftStorage, run against every implementation.
 */
import { describe, expect, it } from 'vitest';
import { LogCompactedError, LogUnavailableError, SnapshotOutOfDateError, type Entry, type RaftStorage } from '../../src/raft/index.js';

const e = (index: number, term: number, size = 0): Entry => ({ index, term, type: 'normal', data: new Uint8Array(size) });
const conf = { voters: ['a', 'b'], learners: [] };

export function raftStorageContract(name: string, create: () => RaftStorage): void {
  describe(`RaftStorage contract: ${name}`, () => {
    it('starts empty: firstIndex 1, lastIndex 0, term(0) = 0, empty hard state', () => {
      const s = create();
      expect(s.firstIndex()).toBe(1);
      expect(s.lastIndex()).toBe(0);
      expect(s.term(0)).toBe(0);
      expect(s.initialState().hardState).toEqual({ term: 0, vote: null, commit: 0 });
      expect(s.entries(1, 1)).toEqual([]);
    });

    it('appends, reads back and overwrites a conflicting suffix', () => {
      const s = create();
      s.append([e(1, 1), e(2, 1), e(3, 2)]);
      expect(s.lastIndex()).toBe(3);
      expect(s.entries(1, 4).map((x) => x.term)).toEqual([1, 1, 2]);
      s.append([e(2, 3)]);
      expect(s.lastIndex()).toBe(2);
      expect(s.term(2)).toBe(3);
      expect(() => s.append([e(5, 3)])).toThrow(LogUnavailableError);
    });

    it('limits entries by size but returns at least one', () => {
      const s = create();
      s.append([e(1, 1, 100), e(2, 1, 100), e(3, 1, 100)]);
      expect(s.entries(1, 4, 1)).toHaveLength(1);
      expect(s.entries(1, 4, 240)).toHaveLength(2);
    });

    it('throws LogUnavailableError beyond the last index', () => {
      const s = create();
      s.append([e(1, 1)]);
      expect(() => s.term(2)).toThrow(LogUnavailableError);
      expect(() => s.entries(1, 3)).toThrow(LogUnavailableError);
    });

    it('snapshots, compacts, and throws LogCompactedError for compacted indexes', () => {
      const s = create();
      s.append([e(1, 1), e(2, 1), e(3, 2), e(4, 2)]);
      expect(() => s.compact(3)).toThrow(LogUnavailableError); // no snapshot covers it yet
      const snap = s.createSnapshot(3, conf, new Uint8Array([7]));
      expect(snap.metadata).toEqual({ index: 3, term: 2, confState: conf });
      s.compact(3);
      expect(s.firstIndex()).toBe(4);
      expect(s.lastIndex()).toBe(4);
      expect(s.term(3)).toBe(2);
      expect(() => s.term(2)).toThrow(LogCompactedError);
      expect(() => s.entries(3, 5)).toThrow(LogCompactedError);
      expect(() => s.compact(3)).toThrow(LogCompactedError);
      expect(s.snapshot().data).toEqual(new Uint8Array([7]));
      expect(s.initialState().confState).toEqual(conf);
      expect(() => s.createSnapshot(3, conf, new Uint8Array())).toThrow(SnapshotOutOfDateError);
      // Appending entries that start inside the compacted part skips them.
      s.append([e(3, 2), e(4, 2), e(5, 2)]);
      expect(s.lastIndex()).toBe(5);
    });

    it('applySnapshot replaces the log, and refuses an older snapshot', () => {
      const s = create();
      s.append([e(1, 1), e(2, 1)]);
      s.applySnapshot({ metadata: { index: 10, term: 4, confState: conf }, data: new Uint8Array([1]) });
      expect(s.firstIndex()).toBe(11);
      expect(s.lastIndex()).toBe(10);
      expect(s.term(10)).toBe(4);
      expect(() => s.applySnapshot({ metadata: { index: 9, term: 4, confState: conf }, data: new Uint8Array() })).toThrow(SnapshotOutOfDateError);
    });

    it('stores the hard state', () => {
      const s = create();
      s.setHardState({ term: 3, vote: 'b', commit: 0 });
      expect(s.initialState().hardState).toEqual({ term: 3, vote: 'b', commit: 0 });
    });
  });
}
