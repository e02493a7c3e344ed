import { InvalidStateError } from '../errors/index.js';
import { applyToConfState, encodeConfChange, validateConfChange, type ConfChange } from './conf-change.js';
import { NotLeaderError, ProposalDroppedError } from './errors.js';
import { hardStateEquals, isEmptyHardState, type ConfState, type Entry, type HardState, type Message, type RaftRole, type SoftState } from './messages.js';
import { Raft } from './raft.js';
import type { Ready } from './ready.js';
import { coalesceAcks } from './coalesce.js';
import { leaderReadIndex, maybeCommit, sendAppend, sendTimeoutNow, stepDownAsNonVoter, flushAppends } from './replication.js';
import type { ProposalPosition, RaftNodeOptions, RaftStatus } from './raft-node-options.js';

export type { RaftNodeOptions, RaftStatus, ProposalPosition } from './raft-node-options.js';

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
      if (options.peers !== undefined && options.peers.length > 0) {
        options.logger?.debug?.('peers ignored: the storage holds state', { id: options.id, peers: [...options.peers], voters: [...confState.voters] });
      }
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
   * longer a member. The entry is not yet committed: watch `committedEntries`. It is sent to the
   * followers with the next Ready, together with every proposal made since the previous one: a
   * burst of proposals costs one append message per follower (within `maxSizePerMsg` and the
   * in-flight window), not one per proposal.
   */
  propose(data: Uint8Array): ProposalPosition {
    this.checkCanPropose();
    const index = this.raft.appendEntry('normal', data);
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
    const index = r.appendEntry('confChange', encodeConfChange(change));
    r.pendingConfIndex = index;
    return { index, term: r.term };
  }

  /**
   * Applies a committed conf change (call it for each `confChange` entry of `committedEntries`,
   * in order, with the decoded change) and returns the new membership, to record in snapshots.
   * Re-applying a change is harmless.
   *
   * A leader that is no longer a voter (removed, or demoted to learner) steps down at once: it
   * sends the followers what they lack up to its commit index (so they apply the change too), tells
   * the most up-to-date remaining voter to campaign now when it holds the whole log (as a
   * leadership transfer would), and becomes a follower (a learner, when demoted) with no known
   * leader. Proposals made to it from then on fail with {@link NotLeaderError}.
   */
  applyConfChange(change: ConfChange): ConfState {
    const r = this.raft;
    const conf = applyToConfState(r.trk.confState(), change);
    r.trk.setConf(conf, r.log.lastIndex() + 1);
    if (r.state === 'leader') {
      if (!r.trk.voters.has(r.id)) {
        stepDownAsNonVoter(r);
      } else {
        if (r.leadTransferee !== null && !r.trk.voters.has(r.leadTransferee)) r.leadTransferee = null;
        maybeCommit(r);
        // New members and a smaller quorum: let flushAppends bring everyone up to date.
        r.appendsDue = true;
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
   * the request to the leader. Throws {@link NotLeaderError} when no leader is known. When the
   * leader holding the request loses its leadership before a quorum confirmed it, the context
   * comes back in a later Ready's `droppedReads` (a forwarded request too, when the old leader
   * can still reach this node). Requests lost in the network, or beyond the leader's
   * `maxPendingReads`, are dropped silently: the caller should time out.
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

  /**
   * True when there is work for the driver: call {@link RaftNode.ready}. On a leader this is also
   * when the entries proposed (and the commit index reached) since the last Ready are turned into
   * append messages, one batch per follower: call it after a burst of proposals, not between them.
   */
  hasReady(): boolean {
    const r = this.raft;
    flushAppends(r);
    if (r.lead !== this.prevSoft.leader || this.role() !== this.prevSoft.role) return true;
    const ph = this.prevHard;
    if ((r.term !== ph.term || r.vote !== ph.vote || r.log.committed !== ph.commit) && !(r.term === 0 && r.vote === null && r.log.committed === 0)) return true;
    return (
      r.log.unstable.snapshot !== undefined ||
      r.log.unstable.entries.length > 0 ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.droppedReads.length > 0 ||
      r.log.hasNextCommittedEntries()
    );
  }

  /**
   * The work to do now (see {@link Ready} for the order). Messages and read states are handed
   * over; call {@link RaftNode.advance} with the result before calling `ready` again. Append
   * acknowledgements queued for the same leader and term are merged into one (the highest).
   */
  ready(): Ready {
    if (this.pendingReady !== undefined) throw new InvalidStateError('raft: advance() the previous Ready before asking for another');
    const r = this.raft;
    flushAppends(r);
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
      messages: coalesceAcks(r.msgs),
      readStates: r.readStates,
      droppedReads: r.droppedReads,
      mustSync: entries.length > 0 || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    r.droppedReads = [];
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
