import type { Random } from '../runtime/index.js';
import { RaftLog } from './log.js';
import type { RaftLogger } from './logger.js';
import type { Entry, Message, ReadState, Snapshot } from './messages.js';
import { ReadOnly } from './read-only.js';
import { bcastAppend, bcastHeartbeat, maybeCommit, stepLeader } from './replication.js';
import type { RaftStorage } from './storage.js';
import { ProgressTracker } from './tracker.js';

/** The core's internal role (learner is a follower that is not a voter). @internal */
export type CoreState = 'follower' | 'candidate' | 'preCandidate' | 'leader';

/** Validated configuration of the core. @internal */
export interface CoreConfig {
  readonly id: string;
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly random: Random;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  readonly maxCommittedSizePerReady: number | undefined;
  readonly maxPendingReads: number;
  readonly logger: RaftLogger | undefined;
}

type OutMessage = Omit<Message, 'from' | 'term'> & { term?: number };

/**
 * The raft state machine proper: roles, terms, elections, and the follower side of replication.
 * The leader side lives in replication.ts, the driver-facing API in raft-node.ts.
 *
 * @internal
 */
export class Raft {
  readonly id: string;
  readonly cfg: CoreConfig;
  term = 0;
  vote: string | null = null;
  lead: string | null = null;
  state: CoreState = 'follower';
  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  readonly readOnly = new ReadOnly();
  /** Reads requested before the leader committed an entry of its term. */
  pendingReads: { context: Uint8Array; from: string }[] = [];
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** Contexts of this node's reads that will never be confirmed (leadership was lost). */
  droppedReads: Uint8Array[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: string | null = null;
  /** Index of the latest conf change the leader appended; none may be proposed until it is applied. */
  pendingConfIndex = 0;
  /**
   * Leader: new entries or a new commit index wait to be sent. Proposals and acknowledgements only
   * set this; {@link flushAppends} sends once per Ready, so a burst of proposals goes out as one
   * append per follower and a burst of acknowledgements as one commit update.
   */
  appendsDue = false;

  constructor(cfg: CoreConfig, storage: RaftStorage) {
    this.id = cfg.id;
    this.cfg = cfg;
    this.log = new RaftLog(storage, cfg.maxCommittedSizePerReady);
    this.trk = new ProgressTracker(cfg.maxInflightMsgs);
    this.resetRandomizedElectionTimeout();
  }

  send(m: OutMessage): void {
    this.msgs.push({ ...m, from: this.id, term: m.term ?? this.term });
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.random.int(this.cfg.electionTick);
  }

  private reset(term: number): void {
    this.dropPendingReads();
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = null;
    this.trk.resetVotes();
    this.trk.resetProgress(this.log.lastIndex() + 1);
    const self = this.trk.progress.get(this.id);
    if (self !== undefined) self.match = this.log.lastIndex();
    this.pendingConfIndex = 0;
  }

  /**
   * Leadership is being lost (or was never held): no pending read can be confirmed any more. This
   * node's own reads are reported in the next Ready; a follower that forwarded one is told with a
   * rejected `readIndexResp` (in the term the read was pending in), so its caller fails fast
   * instead of timing out.
   */
  private dropPendingReads(): void {
    const reads = [...this.readOnly.drain(), ...this.pendingReads];
    this.pendingReads = [];
    for (const { context, from } of reads) {
      if (from === this.id) this.droppedReads.push(context);
      else this.send({ to: from, type: 'readIndexResp', context, reject: true });
    }
  }

  becomeFollower(term: number, lead: string | null): void {
    this.reset(term);
    this.lead = lead;
    this.state = 'follower';
    this.cfg.logger?.info?.('became follower', { id: this.id, term, lead });
  }

  private becomePreCandidate(): void {
    if (this.state === 'leader') throw new Error('raft: leader cannot become pre-candidate');
    this.trk.resetVotes();
    this.lead = null;
    this.state = 'preCandidate';
    this.cfg.logger?.info?.('became pre-candidate', { id: this.id, term: this.term });
  }

  private becomeCandidate(): void {
    if (this.state === 'leader') throw new Error('raft: leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = 'candidate';
    this.cfg.logger?.info?.('became candidate', { id: this.id, term: this.term });
  }

  becomeLeader(): void {
    if (this.state === 'follower') throw new Error('raft: follower cannot become leader');
    this.reset(this.term);
    this.lead = this.id;
    this.state = 'leader';
    const self = this.trk.progress.get(this.id);
    if (self !== undefined) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conf changes of earlier leaders may be uncommitted: treat them all as pending.
    this.pendingConfIndex = this.log.lastIndex();
    this.appendEntry('normal', new Uint8Array(0));
    this.cfg.logger?.info?.('became leader', { id: this.id, term: this.term });
  }

  /**
   * Leader: appends one entry of the current term, counting itself as having it before it is
   * durable, and schedules its replication. Returns its index. Counting early is safe because
   * nothing that depends on a commit (applying, a commit index sent out, a read index) leaves the
   * leader before the Ready carrying the entry is synced (see the order rules of {@link Ready}).
   */
  appendEntry(type: Entry['type'], data: Uint8Array): number {
    const index = this.log.lastIndex() + 1;
    this.log.appendNext({ term: this.term, index, type, data });
    this.trk.progress.get(this.id)?.maybeUpdate(index);
    this.appendsDue = true;
    // Only a single-voter cluster commits here; elsewhere a follower's acknowledgement does.
    if (this.trk.voters.size === 1) maybeCommit(this);
    return index;
  }

  promotable(): boolean {
    return this.trk.voters.has(this.id) && this.log.unstable.snapshot === undefined;
  }

  tick(): void {
    if (this.state === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        if (!this.trk.quorumActive(this.id)) {
          this.cfg.logger?.warn?.('stepping down: no quorum heard from within an election timeout', { id: this.id, term: this.term });
          this.becomeFollower(this.term, null);
          return;
        }
        for (const [id, pr] of this.trk.progress) if (id !== this.id) pr.recentActive = false;
      }
      if (this.leadTransferee !== null) this.leadTransferee = null;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this);
    }
  }

  /** Starts an election (a pre-election first when pre-vote is on and this is not a transfer). */
  hup(transfer: boolean): void {
    if (this.state === 'leader' || !this.promotable() || this.hasUnappliedConfChanges()) return;
    if (this.cfg.preVote && !transfer) this.campaign('preVote', false);
    else this.campaign('vote', transfer);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    try {
      const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
      return this.log.slice(lo, this.log.committed + 1).some((e) => e.type === 'confChange');
    } catch {
      return false;
    }
  }

  private campaign(kind: 'preVote' | 'vote', transfer: boolean): void {
    let term: number;
    if (kind === 'preVote') {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    this.trk.recordVote(this.id, true);
    if (this.trk.tally() === 'won') {
      if (kind === 'preVote') this.campaign('vote', transfer);
      else this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const id of [...this.trk.voters].sort()) {
      if (id === this.id) continue;
      this.send({ to: id, type: kind, term, index, logTerm, ...(transfer ? { transfer: true } : {}) });
    }
  }

  step(m: Message): void {
    if (m.type === 'readIndexResp' && m.reject === true) {
      // A leader dropped a read this node forwarded. Term-agnostic: the leader sent it in the
      // term it lost, which this node may have left already; it changes nothing but the read.
      if (m.context !== undefined) this.droppedReads.push(m.context);
      return;
    }
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const inLease = this.cfg.checkQuorum && this.lead !== null && this.electionElapsed < this.cfg.electionTick;
        // A leader that was heard from recently is presumed alive: refuse to be disrupted.
        if (inLease && m.transfer !== true) return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && m.reject !== true)) {
        // Pre-votes never change terms; a granted pre-vote carries the future term.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // Tell a stale leader about the newer term, so it steps down.
        this.send({ to: m.from, type: 'appResp' });
      } else if (m.type === 'preVote') {
        this.send({ to: m.from, type: 'preVoteResp', reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.state) {
      case 'leader':
        stepLeader(this, m);
        return;
      case 'candidate':
      case 'preCandidate':
        this.stepCandidate(m);
        return;
      case 'follower':
        this.stepFollower(m);
        return;
    }
  }

  private handleVoteRequest(m: Message): void {
    const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    const canVote = this.vote === m.from || (this.vote === null && this.lead === null) || (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      this.send({ to: m.from, type: respType, term: m.term });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ to: m.from, type: respType, reject: true });
    }
  }

  private stepCandidate(m: Message): void {
    const respType = this.state === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case respType: {
        this.trk.recordVote(m.from, m.reject !== true);
        const result = this.trk.tally();
        if (result === 'won') {
          if (this.state === 'preCandidate') {
            this.campaign('vote', false);
          } else {
            this.becomeLeader();
            bcastAppend(this);
          }
        } else if (result === 'lost') {
          this.becomeFollower(this.term, null);
        }
        return;
      }
      default:
        return;
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case 'timeoutNow':
        this.cfg.logger?.info?.('leadership transfer: campaigning now', { id: this.id, term: this.term, from: m.from });
        this.hup(true);
        return;
      case 'readIndex':
        if (this.lead !== null && m.context !== undefined) this.send({ to: this.lead, type: 'readIndex', context: m.context });
        return;
      case 'readIndexResp':
        if (m.context !== undefined) this.readStates.push({ index: m.index ?? 0, context: m.context });
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Message): void {
    const index = m.index ?? 0;
    if (index < this.log.committed) {
      this.send({ to: m.from, type: 'appResp', index: this.log.committed });
      return;
    }
    const lastNew = this.log.maybeAppend(index, m.logTerm ?? 0, m.commit ?? 0, m.entries ?? []);
    if (lastNew !== undefined) {
      this.send({ to: m.from, type: 'appResp', index: lastNew });
      return;
    }
    // Fast backtracking: point the leader at the last entry that can possibly match.
    const hint = this.log.findConflictByTerm(Math.min(index, this.log.lastIndex()), m.logTerm ?? 0);
    this.send({ to: m.from, type: 'appResp', index, reject: true, rejectHint: hint.index, logTerm: hint.term });
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit ?? 0, this.log.lastIndex()));
    this.send({ to: m.from, type: 'heartbeatResp', ...(m.context !== undefined ? { context: m.context } : {}) });
  }

  private handleSnapshot(m: Message): void {
    if (m.snapshot !== undefined && this.restore(m.snapshot)) {
      this.cfg.logger?.info?.('installed snapshot', { id: this.id, index: m.snapshot.metadata.index });
      this.send({ to: m.from, type: 'appResp', index: this.log.lastIndex() });
    } else {
      this.send({ to: m.from, type: 'appResp', index: this.log.committed });
    }
  }

  private restore(snap: Snapshot): boolean {
    const { index, term, confState } = snap.metadata;
    if (index <= this.log.committed) return false;
    if (!confState.voters.includes(this.id) && !confState.learners.includes(this.id)) {
      this.cfg.logger?.warn?.('ignoring snapshot that does not include this node', { id: this.id, index });
      return false;
    }
    if (this.log.matchTerm(index, term)) {
      // The log already has the snapshot's last entry: just move the commit index.
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snap);
    this.trk.setConf(confState, this.log.lastIndex() + 1);
    return true;
  }
}
