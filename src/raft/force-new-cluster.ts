import type { RaftStateMachine } from './driver.js';
import type { Entry } from './messages.js';
import type { RaftStorage } from './storage.js';

/**
 * Rewrites a surviving manager's raft storage so that it restarts as the only member of a new
 * cluster, keeping every committed change (Docker's `swarm init --force-new-cluster`): the
 * committed log is applied to `stateMachine` (which must start empty), then the storage gets a
 * snapshot of that state whose membership is `id` alone. Entries that were never committed are
 * dropped. Run it before creating the driver; then start the driver without `peers`.
 *
 * @returns the index of the new snapshot
 * @public
 */
export function forceNewCluster(storage: RaftStorage, id: string, stateMachine: RaftStateMachine): number {
  const { hardState } = storage.initialState();
  const snap = storage.snapshot();
  if (snap.metadata.index > 0) stateMachine.restore(snap.data, snap.metadata.index);
  const first = snap.metadata.index + 1;
  const commit = Math.max(hardState.commit, snap.metadata.index);
  if (commit >= first) {
    for (const e of storage.entries(first, commit + 1)) {
      if (e.type === 'normal' && e.data.length > 0) {
        try {
          stateMachine.apply(e.data, e.index);
        } catch {
          // A transaction that failed when it first committed fails the same way now: skip it.
        }
      }
    }
  }
  // A fresh no-op entry after the committed prefix carries the new membership's snapshot, so the
  // snapshot is always newer than the stored one and the uncommitted tail is overwritten.
  const term = Math.max(hardState.term, storage.term(commit), 1);
  const index = commit + 1;
  const marker: Entry = { term, index, type: 'normal', data: new Uint8Array(0) };
  storage.append([marker]);
  storage.applySnapshot({
    metadata: { index, term, confState: { voters: [id], learners: [] } },
    data: stateMachine.snapshot(),
  });
  storage.setHardState({ term, vote: null, commit: index });
  return index;
}
