/**
 * The data the raft core exchanges with its driver: log entries, persistent state, snapshots and
 * the messages peers send each other. Everything here is a plain object, so a transport can
 * serialise it however it likes.
 */

/**
 * What an entry carries: application data (`normal`) or an encoded {@link ConfChange}
 * (`confChange`, see {@link encodeConfChange}).
 *
 * @public
 */
export type EntryType = 'normal' | 'confChange';

/**
 * One entry of the replicated log. Entries are immutable once created.
 *
 * @public
 */
export interface Entry {
  /** The term of the leader that created the entry. */
  readonly term: number;
  /** The entry's position in the log, starting at 1. */
  readonly index: number;
  /** What `data` holds. */
  readonly type: EntryType;
  /** Opaque application bytes, or an encoded conf change. Empty for the leader's no-op entry. */
  readonly data: Uint8Array;
}

/**
 * The state a node must persist before it sends any message that depends on it.
 *
 * @public
 */
export interface HardState {
  /** The latest term this node has seen. */
  readonly term: number;
  /** The candidate this node voted for in `term`, or `null`. */
  readonly vote: string | null;
  /** The highest log index known to be committed. */
  readonly commit: number;
}

/**
 * Cluster membership: the ids of voters and of learners (which receive the log but never vote and
 * never count towards a quorum). A node id is in at most one of the two lists.
 *
 * @public
 */
export interface ConfState {
  /** Ids of the voting members. */
  readonly voters: readonly string[];
  /** Ids of the non-voting members. */
  readonly learners: readonly string[];
}

/**
 * What a snapshot covers: every entry up to and including `index`, and the membership as of then.
 *
 * @public
 */
export interface SnapshotMetadata {
  /** The index of the last entry the snapshot includes. */
  readonly index: number;
  /** The term of that entry. */
  readonly term: number;
  /** The membership after applying every entry up to `index`. */
  readonly confState: ConfState;
}

/**
 * A point-in-time image of the application state machine. `data` is opaque to raft: the
 * application produces it (through {@link RaftStorage.createSnapshot}) and restores from it.
 *
 * @public
 */
export interface Snapshot {
  /** What the snapshot covers. */
  readonly metadata: SnapshotMetadata;
  /** The application's serialised state. */
  readonly data: Uint8Array;
}

/**
 * The kinds of message peers exchange.
 *
 * - `app` / `appResp`: append entries and its answer (also the answer to `snap`).
 * - `vote` / `voteResp`, `preVote` / `preVoteResp`: elections and pre-elections.
 * - `heartbeat` / `heartbeatResp`: leader liveness, commit propagation and ReadIndex confirmation.
 * - `snap`: install a snapshot on a follower that is too far behind.
 * - `timeoutNow`: leadership transfer — the target campaigns at once.
 * - `readIndex` / `readIndexResp`: a follower's linearizable read, forwarded to the leader; a
 *   rejected `readIndexResp` says the leader lost its leadership before confirming it.
 *
 * @public
 */
export type MessageType =
  | 'app'
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'snap'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

/**
 * A message between two raft nodes. A driver only needs `to` to route it; the other fields are
 * for the receiving node's {@link RaftNode.step}. Optional fields are present only for the types
 * that use them.
 *
 * @public
 */
export interface Message {
  /** The kind of message. */
  readonly type: MessageType;
  /** The sender's id. */
  readonly from: string;
  /** The recipient's id. */
  readonly to: string;
  /** The sender's term (for `preVote`, the term it would campaign in). */
  readonly term: number;
  /**
   * `app`: term of the entry at `index`; `vote`/`preVote`: term of the candidate's last entry;
   * `appResp` rejection: term of the follower's entry at `rejectHint` (fast backtracking).
   */
  readonly logTerm?: number;
  /**
   * `app`: index of the entry preceding `entries`; `vote`/`preVote`: the candidate's last index;
   * `appResp`: the follower's last matching index (or the rejected `index`);
   * `readIndexResp`: the read index.
   */
  readonly index?: number;
  /** `app`: the entries to append, contiguous from `index + 1`. */
  readonly entries?: readonly Entry[];
  /** `app` / `heartbeat`: the leader's commit index (capped at what the follower is known to hold). */
  readonly commit?: number;
  /** Responses: true when the request was refused. */
  readonly reject?: boolean;
  /** `appResp` rejection: the follower's guess of the highest index that may match. */
  readonly rejectHint?: number;
  /** `snap`: the snapshot to install. */
  readonly snapshot?: Snapshot;
  /** `heartbeat(Resp)` / `readIndex(Resp)`: the ReadIndex request context. */
  readonly context?: Uint8Array;
  /** `vote`: true when the election was started by a leadership transfer (bypasses the lease). */
  readonly transfer?: boolean;
}

/**
 * The answer to a {@link RaftNode.readIndex} request: once the application has applied the log up
 * to `index`, a read served from its state machine is linearizable.
 *
 * @public
 */
export interface ReadState {
  /** The commit index at the time the read was confirmed. */
  readonly index: number;
  /** The context the caller passed to `readIndex`. */
  readonly context: Uint8Array;
}

/**
 * A node's role. `learner` is a follower that is a non-voting member.
 *
 * @public
 */
export type RaftRole = 'follower' | 'candidate' | 'preCandidate' | 'leader' | 'learner';

/**
 * Volatile state that the application may want to react to; not persisted.
 *
 * @public
 */
export interface SoftState {
  /** The leader this node knows of, or `null`. */
  readonly leader: string | null;
  /** This node's role. */
  readonly role: RaftRole;
}

/** The empty hard state of a brand-new node. @public */
export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: null, commit: 0 });

/** True when the hard state is the empty one of a brand-new node. @public */
export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === null && hs.commit === 0;
}

/** True when two hard states are equal. @public */
export function hardStateEquals(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** The size an entry counts for in size limits (its data plus a fixed overhead). @public */
export function entrySize(e: Entry): number {
  return e.data.byteLength + 16;
}

/**
 * Returns the longest prefix of `entries` whose total {@link entrySize} is at most `maxBytes`,
 * but always at least one entry (so that progress is possible with oversized entries).
 *
 * @public
 */
export function limitSize<T extends Entry>(entries: readonly T[], maxBytes: number | undefined): T[] {
  return entries.slice(0, sizeLimitedCount(entries, maxBytes));
}

/**
 * Like {@link limitSize}, but shortens `entries` in place (for an array the caller just built),
 * sparing a copy on the replication path.
 *
 * @internal
 */
export function limitSizeInPlace<T extends Entry>(entries: T[], maxBytes: number | undefined): T[] {
  const n = sizeLimitedCount(entries, maxBytes);
  if (n < entries.length) entries.length = n;
  return entries;
}

function sizeLimitedCount(entries: readonly Entry[], maxBytes: number | undefined): number {
  if (maxBytes === undefined || entries.length === 0) return entries.length;
  let size = entrySize(entries[0] as Entry);
  let n = 1;
  for (; n < entries.length; n++) {
    size += entrySize(entries[n] as Entry);
    if (size > maxBytes) break;
  }
  return n;
}
