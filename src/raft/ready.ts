import type { Entry, HardState, Message, ReadState, Snapshot, SoftState } from './messages.js';

/**
 * Everything the driver must do after the core changed: a batch of work returned by
 * {@link RaftNode.ready}. Handle the fields in this order, then call {@link RaftNode.advance}
 * with the same object:
 *
 * 1. persist `snapshot`, `entries` and `hardState` (syncing when `mustSync`);
 * 2. send `messages`;
 * 3. apply `committedEntries` in order (calling {@link RaftNode.applyConfChange} for
 *    `confChange` entries), and serve `readStates` once applied up to their index.
 *
 * One exception to the order (Raft thesis §10.2.1), which {@link RaftDriver} takes: on a leader,
 * when the Ready changes neither term nor vote, its `app` messages whose `commit` does not exceed
 * the index before the Ready's first entry may be sent while the sync runs, so that the followers
 * write in parallel with the leader. Everything else still waits for the sync.
 *
 * @public
 */
export interface Ready {
  /** The leader and role, present only when they changed. Informational; not persisted. */
  readonly softState?: SoftState;
  /**
   * The hard state to persist, present only when it changed. Persist it before sending any of
   * `messages` (a vote must be durable before it is granted).
   */
  readonly hardState?: HardState;
  /**
   * Entries to append to storage (they may overwrite a suffix of it). Persist them before sending
   * `messages`, which may acknowledge them.
   */
  readonly entries: readonly Entry[];
  /**
   * A snapshot received from the leader, to persist with {@link RaftStorage.applySnapshot} and to
   * restore the application state from, before applying any later committed entry.
   */
  readonly snapshot?: Snapshot;
  /**
   * Committed entries to apply to the application state machine, in order, after the entries,
   * hard state and snapshot of this Ready are persisted. They may include entries from `entries`.
   */
  readonly committedEntries: readonly Entry[];
  /**
   * Messages to send, after persisting this Ready's entries, hard state and snapshot. Delivery may
   * fail or reorder: raft tolerates it. When a `snap` message cannot be delivered, tell the
   * leader with {@link RaftNode.reportSnapshot}; an unreachable peer with
   * {@link RaftNode.reportUnreachable}.
   */
  readonly messages: readonly Message[];
  /**
   * Confirmed linearizable reads: serve each once the application has applied up to its `index`.
   */
  readonly readStates: readonly ReadState[];
  /**
   * Contexts of reads this node asked for ({@link RaftNode.readIndex}) that will never be
   * confirmed: the leader holding them lost its leadership first. Fail them (the caller may retry
   * with the new leader). A read lost in the network is not reported: time it out.
   */
  readonly droppedReads: readonly Uint8Array[];
  /**
   * True when `entries` or the term/vote of `hardState` changed, so the write must be synced to
   * durable storage (fsync) before messages are sent. A commit-index-only change need not be.
   */
  readonly mustSync: boolean;
}
