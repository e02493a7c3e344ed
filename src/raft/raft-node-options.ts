import type { ConfState, RaftRole } from './messages.js';
import type { RaftLogger } from './logger.js';
import type { Random } from '../runtime/index.js';
import type { ProgressStatus } from './tracker.js';
import type { RaftStorage } from './storage.js';

/**
 * Options of a {@link RaftNode}.
 *
 * @public
 */
export interface RaftNodeOptions {
  /** This node's id, unique in the cluster. */
  readonly id: string;
  /**
   * The voters of a brand-new cluster. Used only when `storage` is empty (no hard state, no
   * entries, no snapshot): the node then writes one `addVoter` conf change entry per peer (sorted,
   * so every founding member writes the same log) at term 1 and treats them as committed.
   *
   * Ignored, silently apart from a `debug` log line, whenever the storage holds state: the
   * membership then comes from the storage (its snapshot's, plus the conf changes in its log), so
   * a restarted member may be given the same `peers` it was founded with, or any others, without
   * effect. Changing the membership of an existing cluster takes conf changes
   * ({@link RaftNode.proposeConfChange}), or `forceNewCluster` to recover from a lost quorum. A node
   * joining an existing cluster starts with empty storage and no peers, and learns the log (or a
   * snapshot) from the leader once it has been added.
   */
  readonly peers?: readonly string[];
  /** Where the node restores from; the driver persists each {@link Ready} into it. */
  readonly storage: RaftStorage;
  /**
   * Ticks without hearing from a leader before a follower campaigns; the actual timeout is drawn
   * uniformly from `[electionTick, 2 * electionTick)`. Also the check-quorum period. Default 10.
   */
  readonly electionTick?: number;
  /** Ticks between leader heartbeats; must be less than `electionTick`. Default 1. */
  readonly heartbeatTick?: number;
  /** The source of election jitter. */
  readonly random: Random;
  /**
   * Run a pre-election before bumping the term, so a node that was partitioned away cannot
   * disrupt a healthy leader when it rejoins. Default true.
   */
  readonly preVote?: boolean;
  /**
   * A leader that has not heard from a quorum within an election timeout steps down; followers
   * that heard from a leader recently refuse votes (leader lease). Default true.
   */
  readonly checkQuorum?: boolean;
  /** The maximum bytes of entries in one append message (at least one entry is sent). Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** The maximum append messages in flight to one follower while pipelining. Default 256. */
  readonly maxInflightMsgs?: number;
  /** The maximum bytes of committed entries in one Ready (at least one entry). Default unlimited. */
  readonly maxCommittedSizePerReady?: number;
  /** The maximum pending ReadIndex requests on a leader; more are dropped. Default 1024. */
  readonly maxPendingReads?: number;
  /**
   * The index the application state machine has already applied (e.g. restored from its own
   * snapshot); committed entries after it are emitted again. Default: the storage's snapshot index.
   */
  readonly applied?: number;
  /** Where to report transitions. */
  readonly logger?: RaftLogger;
}

/**
 * The state of a node, for monitoring and tests.
 *
 * @public
 */
export interface RaftStatus {
  /** This node's id. */
  readonly id: string;
  /** The current term. */
  readonly term: number;
  /** Who this node voted for in `term`. */
  readonly vote: string | null;
  /** The role. */
  readonly role: RaftRole;
  /** The leader this node knows of. */
  readonly leader: string | null;
  /** The commit index. */
  readonly commit: number;
  /** The highest index handed to the application (advanced by {@link RaftNode.advance}). */
  readonly applied: number;
  /** The last index of the log, persisted or not. */
  readonly lastIndex: number;
  /** The target of a leadership transfer in progress (leader only). */
  readonly leadTransferee: string | null;
  /** The membership. */
  readonly config: ConfState;
  /** On the leader: every member's replication progress. */
  readonly progress?: Readonly<Record<string, ProgressStatus>>;
}

/**
 * Where a proposal landed in the log. It is committed once `commit >= index` and the entry at
 * `index` still has `term` (a leader change may have overwritten it).
 *
 * @public
 */
export interface ProposalPosition {
  /** The entry's index. */
  readonly index: number;
  /** The entry's term. */
  readonly term: number;
}
