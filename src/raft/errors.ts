import { FlotillaError, type FlotillaErrorOptions } from '../errors/index.js';

/**
 * The operation needs the raft leader and this node is not it. `leader` names the leader this
 * node knows of (or `null` when none is known), so a caller can forward the request there.
 *
 * @public
 */
export class NotLeaderError extends FlotillaError {
  /** The leader this node knows of, or `null`. */
  readonly leader: string | null;
  constructor(leader: string | null, options?: FlotillaErrorOptions) {
    super('NOT_LEADER', leader === null ? 'not the raft leader; no leader is known' : `not the raft leader; the leader is ${JSON.stringify(leader)}`, options);
    this.leader = leader;
  }
}

/**
 * Why the leader refused a proposal.
 *
 * - `transferring`: a leadership transfer is in progress.
 * - `confChangePending`: another membership change has not been applied yet.
 * - `invalidConfChange`: the change makes no sense for the current membership.
 * - `notInConfig`: the leader has been removed from the cluster.
 *
 * @public
 */
export type ProposalDropReason = 'transferring' | 'confChangePending' | 'invalidConfChange' | 'notInConfig';

/**
 * The leader refused a proposal; nothing was appended. Retrying later may succeed.
 *
 * @public
 */
export class ProposalDroppedError extends FlotillaError {
  /** Why the proposal was refused. */
  readonly reason: ProposalDropReason;
  constructor(reason: ProposalDropReason, message: string, options?: FlotillaErrorOptions) {
    super('INVALID_STATE', `proposal dropped (${reason}): ${message}`, options);
    this.reason = reason;
  }
}

/**
 * A raft storage was asked for log entries or terms at or before its first index: they have been
 * compacted into a snapshot.
 *
 * @public
 */
export class LogCompactedError extends FlotillaError {
  /** The index that was asked for. */
  readonly index: number;
  constructor(index: number, options?: FlotillaErrorOptions) {
    super('INVALID_STATE', `raft log index ${index} has been compacted`, options);
    this.index = index;
  }
}

/**
 * A raft storage was asked for log entries or terms beyond its last index.
 *
 * @public
 */
export class LogUnavailableError extends FlotillaError {
  /** The index that was asked for. */
  readonly index: number;
  constructor(index: number, options?: FlotillaErrorOptions) {
    super('INVALID_STATE', `raft log index ${index} is not available`, options);
    this.index = index;
  }
}

/**
 * A snapshot older than (or as old as) the one a storage already holds was applied or created.
 *
 * @public
 */
export class SnapshotOutOfDateError extends FlotillaError {
  constructor(message: string, options?: FlotillaErrorOptions) {
    super('INVALID_STATE', message, options);
  }
}

/**
 * The snapshot is temporarily unavailable (e.g. still being produced). The raft leader retries
 * sending it later. Storages may throw it from {@link RaftStorage.snapshot}.
 *
 * @public
 */
export class SnapshotUnavailableError extends FlotillaError {
  constructor(options?: FlotillaErrorOptions) {
    super('INVALID_STATE', 'raft snapshot temporarily unavailable', options);
  }
}

/**
 * A linearizable read was dropped: the leader holding it lost its leadership (or this member's
 * known leader changed) before a quorum confirmed it. Nothing was read; retry, at the new leader
 * if need be. A {@link NotLeaderError}, so code that retries on a leader change handles it too.
 *
 * @public
 */
export class ReadIndexDroppedError extends NotLeaderError {
  constructor(leader: string | null, options?: FlotillaErrorOptions) {
    super(leader, options);
    this.message = `read dropped: leadership changed before a quorum confirmed it; ${leader === null ? 'no leader is known' : `the leader is ${JSON.stringify(leader)}`}`;
  }
}
