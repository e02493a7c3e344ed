import type { ConfState } from './messages.js';
import { Progress, type ProgressState } from './progress.js';
import { committedIndex, hasQuorum, voteResult, type VoteResult } from './quorum.js';

/**
 * A snapshot of the leader's view of one member, as reported by {@link RaftNode.status}.
 *
 * @public
 */
export interface ProgressStatus {
  /** The highest index known to match the leader's log. */
  readonly match: number;
  /** The next index the leader will send. */
  readonly next: number;
  /** The replication state. */
  readonly state: ProgressState;
  /** Heard from during the current check-quorum round. */
  readonly recentActive: boolean;
  /** True for a learner. */
  readonly isLearner: boolean;
  /** Append messages in flight. */
  readonly inflight: number;
}

/**
 * The membership and, on the leader, every member's replication progress; on a candidate, the
 * votes received.
 *
 * @internal
 */
export class ProgressTracker {
  voters = new Set<string>();
  learners = new Set<string>();
  readonly progress = new Map<string, Progress>();
  readonly votes = new Map<string, boolean>();
  private readonly maxInflight: number;

  constructor(maxInflight: number) {
    this.maxInflight = maxInflight;
  }

  confState(): ConfState {
    return { voters: [...this.voters].sort(), learners: [...this.learners].sort() };
  }

  /** Replaces the membership; progress of new members starts at `next`, removed ones are dropped. */
  setConf(conf: ConfState, next: number): void {
    this.voters = new Set(conf.voters);
    this.learners = new Set(conf.learners);
    for (const id of [...this.progress.keys()]) if (!this.voters.has(id) && !this.learners.has(id)) this.progress.delete(id);
    for (const id of [...conf.voters, ...conf.learners]) {
      const pr = this.progress.get(id);
      if (pr === undefined) {
        const fresh = new Progress(next, this.maxInflight, this.learners.has(id));
        fresh.recentActive = true;
        this.progress.set(id, fresh);
      } else {
        pr.isLearner = this.learners.has(id);
      }
    }
  }

  /** Resets every member's progress (a new leader's view). */
  resetProgress(next: number): void {
    for (const id of [...this.progress.keys()]) {
      this.progress.set(id, new Progress(next, this.maxInflight, this.learners.has(id)));
    }
  }

  isMember(id: string): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  committed(): number {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  recordVote(id: string, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tally(): VoteResult {
    return voteResult(this.voters, this.votes);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** True when a quorum of voters was recently active (the leader counts itself). */
  quorumActive(self: string): boolean {
    const active = new Set<string>();
    for (const [id, pr] of this.progress) if (id === self || pr.recentActive) active.add(id);
    return hasQuorum(this.voters, active);
  }

  status(): Record<string, ProgressStatus> {
    const out: Record<string, ProgressStatus> = {};
    for (const [id, pr] of [...this.progress].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out[id] = { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, isLearner: pr.isLearner, inflight: pr.inflights.count() };
    }
    return out;
  }
}
