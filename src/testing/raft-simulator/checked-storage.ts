import type { ConfState, DriverStorage, HardState, RaftEntry, RaftInitialState, RaftSnapshot, RaftStorage } from '../../raft/index.js';

/**
 * Told about every run of entries a {@link CheckedStorage} persisted: `prevTerm` is the term of
 * the entry just before `entries[0]` in the storage after the append.
 *
 * @public
 */
export type AppendObserver = (entries: readonly RaftEntry[], prevTerm: number) => void;

/**
 * The storage every simulated member runs on: a pass-through to a real {@link RaftStorage}
 * (memory or file) that reports each persisted append to the log-matching checker. The inner
 * storage can be replaced, which is how a member reopens its files after a crash.
 *
 * @public
 */
export class CheckedStorage implements DriverStorage {
  constructor(
    private inner: RaftStorage & { sync?(): void | Promise<void> },
    private readonly onAppend: AppendObserver,
  ) {}

  /** The storage this one forwards to. */
  get target(): RaftStorage {
    return this.inner;
  }

  /** Replaces the storage this one forwards to (after a crash and reopen). */
  replace(inner: RaftStorage & { sync?(): void | Promise<void> }): void {
    this.inner = inner;
  }

  initialState(): RaftInitialState {
    return this.inner.initialState();
  }
  entries(lo: number, hi: number, maxBytes?: number): RaftEntry[] {
    return this.inner.entries(lo, hi, maxBytes);
  }
  term(index: number): number {
    return this.inner.term(index);
  }
  firstIndex(): number {
    return this.inner.firstIndex();
  }
  lastIndex(): number {
    return this.inner.lastIndex();
  }
  snapshot(): RaftSnapshot {
    return this.inner.snapshot();
  }
  append(entries: readonly RaftEntry[]): void {
    this.inner.append(entries);
    const first = this.inner.firstIndex();
    const kept = entries.filter((e) => e.index >= first);
    const head = kept[0];
    if (head !== undefined) this.onAppend(kept, this.inner.term(head.index - 1));
  }
  setHardState(hardState: HardState): void {
    this.inner.setHardState(hardState);
  }
  applySnapshot(snapshot: RaftSnapshot): void {
    this.inner.applySnapshot(snapshot);
  }
  compact(index: number): void {
    this.inner.compact(index);
  }
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): RaftSnapshot {
    return this.inner.createSnapshot(index, confState, data);
  }
  sync(): void | Promise<void> {
    return this.inner.sync?.();
  }
}
