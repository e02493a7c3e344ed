import { InvalidStateError } from '../errors/index.js';
import type { Random } from '../runtime/index.js';
import { applyToConfState, encodeConfChange, validateConfChange, type ConfChange } from './conf-change.js';
import { NotLeaderError, ProposalDroppedError } from './errors.js';
import type { RaftLogger } from './logger.js';
import { hardStateEquals, isEmptyHardState, type ConfState, type Entry, type HardState, type Message, type RaftRole, type SoftState } from './messages.js';
import { Raft } from './raft.js';
import type { Ready } from './ready.js';
import { bcastAppend, leaderReadIndex, maybeCommit, sendAppend, sendTimeoutNow } from './replication.js';
import type { RaftStorage } from './storage.js';
import type { ProgressStatus } from './tracker.js';

/**
 * Options of a {@link RaftNode}.
 *
 * @public
 */
export interface RaftNodeOptions {
  /** This node's id, unique in the cluster. */
  readonly id: string;
  /**
   * The voters of a brand-new cluster. Used only when `storage` is empty: the node then writes
   * one `addVoter` conf change entry per peer (sorted, so every founding member writes the same
   * log) at term 1 and treats them as committed. Ignored when the storage holds state. A node
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

/**
 * One raft node as a pure state machine: no I/O, no clock, no timers. Feed it `tick()`s and the
 * messages peers sent (`step`), and whenever `hasReady()` is true take a {@link Ready}, do what it
 * says (persist, send, apply) and call `advance`. Modelled on etcd's RawNode.
 *
 * @example
 * ```ts
 * const node = new RaftNode({ id: 'a', peers: ['a', 'b', 'c'], storage, random: Random.fromSeed(1) });
 * clock.every(100, () => node.tick());
 * transport.onMessage((m) => node.step(m));
 * while (node.hasReady()) {
 *   const rd = node.ready();
 *   persist(rd); send(rd.messages); apply(rd.committedEntries);
 *   node.advance(rd);
 * }
 * ```
 * @public
 */
export class RaftNode {
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private pendingReady: Ready | undefined = undefined;

  constructor(options: RaftNodeOptions) {
    const electionTick = options.electionTick ?? 10;
    const heartbeatTick = options.heartbeatTick ?? 1;
    if (!Number.isSafeInteger(heartbeatTick) || heartbeatTick < 1) throw new RangeError('heartbeatTick must be a positive integer');
    if (!Number.isSafeInteger(electionTick) || electionTick <= heartbeatTick) throw new RangeError('electionTick must be an integer greater than heartbeatTick');
    if (options.id === '') throw new RangeError('id must not be empty');
    const storage = options.storage;
    this.raft = new Raft(
      {
        id: options.id,
        electionTick,
        heartbeatTick,
        random: options.random,
        preVote: options.preVote ?? true,
        checkQuorum: options.checkQuorum ?? true,
        maxSizePerMsg: options.maxSizePerMsg ?? 1024 * 1024,
        maxInflightMsgs: options.maxInflightMsgs ?? 256,
        maxCommittedSizePerReady: options.maxCommittedSizePerReady,
        maxPendingReads: options.maxPendingReads ?? 1024,
        logger: options.logger,
      },
      storage,
    );
    const r = this.raft;
    const { hardState, confState } = storage.initialState();
    const fresh = isEmptyHardState(hardState) && storage.lastIndex() === 0;
    if (fresh && options.peers !== undefined && options.peers.length > 0) {
      const peers = [...new Set(options.peers)].sort();
      const entries: Entry[] = peers.map((p, i) => ({ term: 1, index: i + 1, type: 'confChange', data: encodeConfChange({ type: 'addVoter', nodeId: p }) }));
      r.log.append(entries);
      r.log.commitTo(entries.length);
      r.trk.setConf({ voters: peers, learners: [] }, 1);
      r.becomeFollower(1, null);
    } else {
      r.trk.setConf(confState, r.log.lastIndex() + 1);
      if (!isEmptyHardState(hardState)) {
        if (hardState.commit > r.log.lastIndex()) throw new InvalidStateError(`raft: hard state commit ${hardState.commit} is beyond the last index ${r.log.lastIndex()}`);
        r.log.commitTo(hardState.commit);
      }
      r.becomeFollower(hardState.term, null);
      r.vote = hardState.vote;
    }
    if (options.applied !== undefined && options.applied > r.log.applied) r.log.appliedTo(Math.min(options.applied, r.log.committed));
    this.prevSoft = this.softState();
    // A bootstrapped node must persist its first hard state; a restored one has it already.
    this.prevHard = fresh ? { term: 0, vote: null, commit: 0 } : this.hardState();
  }

  /** Advances logical time by one tick (elections, heartbeats, check-quorum). */
  tick(): void {
    this.raft.tick();
  }

  /** Handles a message from a peer. Messages addressed to another node are ignored. */
  step(message: Message): void {
    if (message.to !== this.raft.id) return;
    this.raft.step(message);
  }

  /** Starts an election now (a pre-election first when pre-vote is on). No-op on a leader or non-voter. */
  campaign(): void {
    this.raft.hup(false);
  }

  /**
   * Appends `data` to the log. Only the leader accepts proposals: elsewhere this throws
   * {@link NotLeaderError} naming the known leader, so the caller can forward the proposal there.
   * Throws {@link ProposalDroppedError} during a leadership transfer or when the leader is no
   * longer a member. The entry is not yet committed: watch `committedEntries`.
   */
  propose(data: Uint8Array): ProposalPosition {
    this.checkCanPropose();
    const index = this.raft.appendEntries([{ type: 'normal', data }]);
    bcastAppend(this.raft);
    return { index, term: this.raft.term };
  }

  /**
   * Proposes a single-server membership change. Only one change may be pending: while an earlier
   * one is not yet applied (including any inherited from a previous leader), this throws
   * {@link ProposalDroppedError} with reason `confChangePending`; it also refuses changes that do
   * not fit the current membership (`invalidConfChange`). Throws {@link NotLeaderError} on a
   * non-leader.
   */
  proposeConfChange(change: ConfChange): ProposalPosition {
    this.checkCanPropose();
    const r = this.raft;
    if (r.pendingConfIndex > r.log.applied) {
      throw new ProposalDroppedError('confChangePending', `the change at index ${r.pendingConfIndex} is not applied yet (applied ${r.log.applied})`);
    }
    const why = validateConfChange(r.trk.confState(), change);
    if (why !== undefined) throw new ProposalDroppedError('invalidConfChange', why);
    const index = r.appendEntries([{ type: 'confChange', data: encodeConfChange(change) }]);
    r.pendingConfIndex = index;
    bcastAppend(r);
    return { index, term: r.term };
  }

  /**
   * Applies a committed conf change (call it for each `confChange` entry of `committedEntries`,
   * in order, with the decoded change) and returns the new membership, to record in snapshots.
   * Re-applying a change is harmless. A leader that removes itself steps down.
   */
  applyConfChange(change: ConfChange): ConfState {
    const r = this.raft;
    const conf = applyToConfState(r.trk.confState(), change);
    r.trk.setConf(conf, r.log.lastIndex() + 1);
    if (r.state === 'leader') {
      if (!r.trk.voters.has(r.id)) {
        r.becomeFollower(r.term, null);
      } else {
        if (r.leadTransferee !== null && !r.trk.voters.has(r.leadTransferee)) r.leadTransferee = null;
        if (maybeCommit(r)) bcastAppend(r);
        else for (const id of r.trk.progress.keys()) sendAppend(r, id, false);
      }
    }
    return r.trk.confState();
  }

  /**
   * Leader: hands leadership to `to`, a voter. Once `to` has the whole log it is told to campaign
   * at once; proposals are refused meanwhile. The transfer is abandoned after an election timeout.
   * Throws {@link NotLeaderError} on a non-leader and `InvalidStateError` when `to` is not a voter.
   */
  transferLeadership(to: string): void {
    const r = this.raft;
    if (r.state !== 'leader') throw new NotLeaderError(r.lead);
    if (to === r.id) return;
    const pr = r.trk.progress.get(to);
    if (pr === undefined || !r.trk.voters.has(to)) throw new InvalidStateError(`cannot transfer leadership to ${JSON.stringify(to)}: not a voter`);
    if (r.leadTransferee === to) return;
    r.leadTransferee = to;
    r.electionElapsed = 0;
    if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, to);
    else sendAppend(r, to);
  }

  /**
   * Requests a linearizable read. When leadership is confirmed by a quorum, a {@link ReadState}
   * with the same `context` (which should be unique) appears in a later Ready. A follower forwards
   * the request to the leader. Throws {@link NotLeaderError} when no leader is known. Requests
   * are dropped silently when leadership is lost before confirmation (the caller should time
   * out), or beyond `maxPendingReads`.
   */
  readIndex(context: Uint8Array): void {
    const r = this.raft;
    if (r.state === 'leader') leaderReadIndex(r, context, r.id);
    else if (r.lead !== null) r.send({ to: r.lead, type: 'readIndex', context });
    else throw new NotLeaderError(null);
  }

  /**
   * Leader: the snapshot sent to `id` was delivered (`ok`) or failed. Either way, replication to
   * it resumes by probing, after the follower answers or the next heartbeat.
   */
  reportSnapshot(id: string, ok: boolean): void {
    const r = this.raft;
    const pr = r.trk.progress.get(id);
    if (r.state !== 'leader' || pr === undefined || pr.state !== 'snapshot') return;
    if (!ok) pr.pendingSnapshot = 0;
    pr.becomeProbe();
    pr.probeSent = true;
  }

  /** Leader: `id` could not be reached; stop pipelining to it and probe instead. */
  reportUnreachable(id: string): void {
    const r = this.raft;
    const pr = r.trk.progress.get(id);
    if (r.state === 'leader' && pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
  }

  /** True when there is work for the driver: call {@link RaftNode.ready}. */
  hasReady(): boolean {
    const r = this.raft;
    if (!softEquals(this.softState(), this.prevSoft)) return true;
    const hs = this.hardState();
    if (!isEmptyHardState(hs) && !hardStateEquals(hs, this.prevHard)) return true;
    return (
      r.log.unstable.snapshot !== undefined ||
      r.log.unstable.entries.length > 0 ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.log.hasNextCommittedEntries()
    );
  }

  /**
   * The work to do now (see {@link Ready} for the order). Messages and read states are handed
   * over; call {@link RaftNode.advance} with the result before calling `ready` again.
   */
  ready(): Ready {
    if (this.pendingReady !== undefined) throw new InvalidStateError('raft: advance() the previous Ready before asking for another');
    const r = this.raft;
    const soft = this.softState();
    const hard = this.hardState();
    const entries = r.log.unstable.entries.slice();
    const hardChanged = !isEmptyHardState(hard) && !hardStateEquals(hard, this.prevHard);
    const rd: Ready = {
      ...(softEquals(soft, this.prevSoft) ? {} : { softState: soft }),
      ...(hardChanged ? { hardState: hard } : {}),
      ...(r.log.unstable.snapshot !== undefined ? { snapshot: r.log.unstable.snapshot } : {}),
      entries,
      committedEntries: r.log.nextCommittedEntries(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: entries.length > 0 || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    if (hardChanged) this.prevHard = hard;
    this.pendingReady = rd;
    return rd;
  }

  /** Tells the node the driver has done everything `ready` asked for. */
  advance(ready: Ready): void {
    if (ready !== this.pendingReady) throw new InvalidStateError('raft: advance() must be given the Ready returned by the last ready()');
    this.pendingReady = undefined;
    const log = this.raft.log;
    const last = ready.entries[ready.entries.length - 1];
    if (last !== undefined) log.unstable.stableTo(last.index, last.term);
    if (ready.snapshot !== undefined) {
      log.unstable.stableSnapTo(ready.snapshot.metadata.index);
      if (ready.snapshot.metadata.index > log.applied) log.applied = ready.snapshot.metadata.index;
    }
    const lastCommitted = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastCommitted !== undefined) log.appliedTo(lastCommitted.index);
  }

  /** The node's current state. */
  status(): RaftStatus {
    const r = this.raft;
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      role: this.role(),
      leader: r.lead,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      leadTransferee: r.leadTransferee,
      config: r.trk.confState(),
      ...(r.state === 'leader' ? { progress: r.trk.status() } : {}),
    };
  }

  private checkCanPropose(): void {
    const r = this.raft;
    if (r.state !== 'leader') throw new NotLeaderError(r.lead);
    if (!r.trk.progress.has(r.id)) throw new ProposalDroppedError('notInConfig', `${r.id} is not a member of the cluster`);
    if (r.leadTransferee !== null) throw new ProposalDroppedError('transferring', `leadership is being transferred to ${r.leadTransferee}`);
  }

  private role(): RaftRole {
    const r = this.raft;
    if (r.state === 'follower' && r.trk.learners.has(r.id)) return 'learner';
    return r.state;
  }

  private softState(): SoftState {
    return { leader: this.raft.lead, role: this.role() };
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }
}

function softEquals(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}
