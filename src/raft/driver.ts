import { ClosedError } from '../errors/index.js';
import { every, parseDuration, type Clock, type Duration, type Random } from '../runtime/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { decodeConfChange, type ConfChange } from './conf-change.js';
import { isRaftMessage } from './is-raft-message.js';
import type { RaftLogger } from './logger.js';
import type { ConfState, Entry, Message, SoftState } from './messages.js';
import { RaftNode, type RaftStatus } from './raft-node.js';
import { ProposalTracker, type Committed } from './proposal-tracker.js';
import type { Ready } from './ready.js';
import { ReadTracker } from './read-tracker.js';
import type { RaftStorage } from './storage.js';

export type { Committed } from './proposal-tracker.js';

/**
 * The application state machine a {@link RaftDriver} replicates.
 *
 * @public
 */
export interface RaftStateMachine {
  /**
   * Applies a committed entry's bytes at `index`. Called in log order on every member. What it
   * returns (or throws) settles the matching proposal on the member that proposed it; a throw does
   * not stop the driver, and must be deterministic (every member throws alike).
   */
  apply(data: Uint8Array, index: number): unknown;
  /** The state as bytes, for a raft snapshot at the last applied index. */
  snapshot(): Uint8Array;
  /** Replaces the state with a snapshot's bytes (taken at `index`). */
  restore(data: Uint8Array, index: number): void;
}

/** A raft storage, optionally with a durability barrier (`sync`) the driver awaits when needed. @public */
export type DriverStorage = RaftStorage & { sync?(): void | Promise<void> };

/** Options of a {@link RaftDriver}. @public */
export interface RaftDriverOptions {
  /** This member's id; also its transport address. */
  readonly id: string;
  /** Founding voters of a new cluster (used only when `storage` is empty). */
  readonly peers?: readonly string[];
  readonly storage: DriverStorage;
  /**
   * Where raft messages come from and go to (addressed by member id). The endpoint may be shared
   * with other protocols (dispatcher RPCs, forwarding): anything that is not shaped like a raft
   * message ({@link isRaftMessage}) is ignored, cheaply and silently.
   */
  readonly endpoint: TransportEndpoint<unknown>;
  readonly clock: Clock;
  readonly random: Random;
  readonly stateMachine: RaftStateMachine;
  /** How often the core ticks. Default 100 ms. */
  readonly tickInterval?: Duration;
  /** Ticks before a follower campaigns (randomised up to twice this). Default 10. */
  readonly electionTick?: number;
  /** Ticks between heartbeats. Default 1. */
  readonly heartbeatTick?: number;
  /** Default true. */
  readonly preVote?: boolean;
  /** Default true. */
  readonly checkQuorum?: boolean;
  /** Bytes of entries per append message. Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** Append messages in flight per follower. Default 256. */
  readonly maxInflightMsgs?: number;
  /** Take a snapshot every this many applied entries. Default 10,000 (Docker's). */
  readonly snapshotInterval?: number;
  /** Entries kept behind a snapshot for slow followers. Default 500 (Docker's). */
  readonly logEntriesForSlowFollowers?: number;
  /**
   * How long a proposal or read may wait for commitment before it fails with
   * {@link QuorumLostError}. Default 10 s.
   */
  readonly proposalTimeout?: Duration;
  /** Where the core reports transitions, and the driver raft messages the core refused. */
  readonly logger?: RaftLogger;
}

/** What the driver reports as it runs. @public */
export interface RaftDriverEvents {
  /** The leader or this member's role changed. */
  onSoftState?(state: SoftState): void;
  /** A membership change was applied. */
  onConfChange?(change: ConfChange, config: ConfState, index: number): void;
  /**
   * The storage failed to persist (its `sync()` rejected, or a write threw), or applying a Ready
   * broke. The member stops: raft cannot go on without durable writes. Pending proposals and
   * reads are rejected with this error.
   */
  onFatalError?(error: unknown): void;
}

/**
 * Runs a {@link RaftNode} on a clock and a transport: ticks it, persists each Ready into the
 * storage (awaiting `sync()` when the Ready must be durable), sends its messages, applies
 * committed entries to the state machine in log order, takes snapshots and compacts the log.
 * When the storage syncs synchronously (memory storage) the whole loop runs synchronously, which
 * keeps simulations deterministic and fast.
 *
 * @public
 */
export class RaftDriver {
  /** The consensus core this driver runs. */
  readonly node: RaftNode;
  private readonly opts: RaftDriverOptions;
  private readonly events: RaftDriverEvents;
  private readonly proposals: ProposalTracker;
  private readonly reads: ReadTracker;
  private readonly proposalTimeout: number;
  private readonly snapshotInterval: number;
  private readonly keepEntries: number;
  private stopTicking: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private processing = false;
  private again = false;
  private stopped = false;
  private applied: number;
  private snapshotIndex: number;
  /** A member was added while the log is compacted: snapshot now so its membership includes it. */
  private snapshotDue = false;
  private kickQueued = false;
  private soft: SoftState = { leader: null, role: 'follower' };
  /** Term and vote as last persisted (early sends need them unchanged). */
  private durableTerm: number;
  private durableVote: string | null;

  constructor(options: RaftDriverOptions, events: RaftDriverEvents = {}) {
    this.opts = options;
    this.events = events;
    this.proposalTimeout = parseDuration(options.proposalTimeout ?? '10s', 'proposalTimeout');
    this.snapshotInterval = options.snapshotInterval ?? 10_000;
    this.keepEntries = options.logEntriesForSlowFollowers ?? 500;
    const snap = options.storage.snapshot();
    this.snapshotIndex = snap.metadata.index;
    if (snap.metadata.index > 0) options.stateMachine.restore(snap.data, snap.metadata.index);
    this.applied = snap.metadata.index;
    const hard = options.storage.initialState().hardState;
    this.durableTerm = hard.term;
    this.durableVote = hard.vote;
    this.proposals = new ProposalTracker(options.clock, this.proposalTimeout);
    this.reads = new ReadTracker(options.clock, this.proposalTimeout, `${options.id}:${options.random.fork('read-contexts').id()}:${options.clock.now().toString(36)}`);
    this.node = new RaftNode({
      id: options.id,
      ...(options.peers === undefined ? {} : { peers: options.peers }),
      storage: options.storage,
      random: options.random,
      electionTick: options.electionTick ?? 10,
      heartbeatTick: options.heartbeatTick ?? 1,
      preVote: options.preVote ?? true,
      checkQuorum: options.checkQuorum ?? true,
      ...(options.maxSizePerMsg === undefined ? {} : { maxSizePerMsg: options.maxSizePerMsg }),
      ...(options.maxInflightMsgs === undefined ? {} : { maxInflightMsgs: options.maxInflightMsgs }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /** Starts ticking and receiving messages. */
  start(): void {
    if (this.stopTicking !== undefined || this.stopped) return;
    const interval = parseDuration(this.opts.tickInterval ?? 100, 'tickInterval');
    this.stopTicking = every(this.opts.clock, interval, () => {
      this.node.tick();
      this.kick();
    });
    this.unsubscribe = this.opts.endpoint.onMessage((message) => {
      // Other protocols may share the endpoint: only raft messages for this member go further.
      if (this.stopped || !isRaftMessage(message) || message.to !== this.opts.id) return;
      try {
        this.node.step(message);
      } catch (err) {
        // A malformed message from a peer must not stop this member: drop it, say so.
        this.opts.logger?.warn?.('dropped a raft message the core refused', { id: this.opts.id, from: message.from, type: message.type, error: err instanceof Error ? err.message : String(err) });
      }
      this.kick();
    });
    this.kick();
  }

  /**
   * Stops the loop; pending proposals and reads fail with {@link ClosedError} (or with `cause`
   * when given). Idempotent.
   */
  stop(cause?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopTicking?.();
    this.unsubscribe?.();
    const err = cause ?? new ClosedError(`raft member ${this.opts.id}`);
    this.proposals.failAll(err);
    this.reads.failAll(err);
  }

  /** The core's status. */
  status(): RaftStatus {
    return this.node.status();
  }

  /** True while this member is the leader. */
  get isLeader(): boolean {
    return this.soft.role === 'leader';
  }

  /** The leader this member knows of. */
  get leader(): string | null {
    return this.soft.leader;
  }

  /** The last index applied to the state machine. */
  get appliedIndex(): number {
    return this.applied;
  }

  /**
   * Proposes `data` (leader only; throws `NotLeaderError` naming the leader otherwise). Resolves
   * once committed and applied here, with what the state machine returned; rejects with what it
   * threw, with {@link ProposalLostError} once another entry is committed at its index (it can
   * never commit), or with {@link QuorumLostError} after the proposal timeout (outcome unknown:
   * for instance its entry was overwritten here by a new leader's, but may survive on another
   * member and still commit). Proposals made before the next Ready go to the followers together.
   */
  propose(data: Uint8Array): Promise<Committed> {
    return this.track(() => this.node.propose(data));
  }

  /** Proposes a membership change; resolves once applied. Same failures as {@link RaftDriver.propose}. */
  proposeConfChange(change: ConfChange): Promise<Committed> {
    return this.track(() => this.node.proposeConfChange(change));
  }

  /** Hands leadership to `to` (leader only). */
  transferLeadership(to: string): void {
    this.node.transferLeadership(to);
    this.kick();
  }

  /**
   * A linearizable read barrier: resolves with an index once this member has applied everything
   * committed when the read was issued, confirmed by a quorum. Read the state after it resolves.
   * Rejects with {@link ReadIndexDroppedError} when leadership changes before a quorum confirmed
   * the read (retry), with `NotLeaderError` at once when no leader is known, and with
   * {@link QuorumLostError} after the proposal timeout.
   */
  readBarrier(): Promise<number> {
    if (this.stopped) return Promise.reject(new ClosedError(`raft member ${this.opts.id}`));
    const read = this.reads.begin((context) => this.node.readIndex(context));
    this.kick();
    return read;
  }

  private track(submit: () => { index: number; term: number }): Promise<Committed> {
    if (this.stopped) return Promise.reject(new ClosedError(`raft member ${this.opts.id}`));
    const pos = submit();
    const committed = this.proposals.track(pos.index, pos.term);
    this.kickSoon();
    return committed;
  }

  /**
   * Runs the Ready loop on the next microtask, once for however many proposals arrive before it:
   * a burst of proposals becomes one Ready, one append message per follower and one sync.
   */
  private kickSoon(): void {
    if (this.kickQueued) return;
    this.kickQueued = true;
    queueMicrotask(() => {
      this.kickQueued = false;
      if (!this.stopped) this.kick();
    });
  }

  /** Runs the Ready loop now, or after the current pass when one is running. */
  private kick(): void {
    if (this.processing) {
      this.again = true;
      return;
    }
    this.processing = true;
    this.loop();
  }

  private loop(): void {
    try {
      for (;;) {
        this.again = false;
        while (!this.stopped && this.node.hasReady()) {
          const rd = this.node.ready();
          const barrier = this.persist(rd);
          if (barrier !== undefined) {
            // Asynchronous durability: a leader's appends go out now, the rest after the sync.
            const early = this.sendEarly(rd);
            barrier.then(
              () => {
                try {
                  this.finish(rd, early);
                } catch (err) {
                  this.fail(err);
                  return;
                }
                this.loop();
              },
              (err: unknown) => this.fail(err),
            );
            return;
          }
          this.finish(rd, undefined);
        }
        if (!this.again || this.stopped) break;
      }
      this.processing = false;
    } catch (err) {
      // A storage that refuses a write (or a state machine that breaks raft's rules) leaves the
      // member unable to go on: stop, rather than leave the loop wedged mid-Ready.
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.processing = false;
    if (this.stopped) return;
    this.stop(err);
    this.events.onFatalError?.(err);
  }

  /** Step 1: persist; returns a promise when the storage's sync is asynchronous. */
  private persist(rd: Ready): Promise<void> | undefined {
    const storage = this.opts.storage;
    if (rd.snapshot !== undefined) storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) storage.append(rd.entries);
    if (rd.hardState !== undefined) storage.setHardState(rd.hardState);
    if (!rd.mustSync && rd.snapshot === undefined) return undefined;
    const r = storage.sync?.();
    return r instanceof Promise ? r : undefined;
  }

  /**
   * While a leader's own write is being synced, sends the appends of the same Ready, so that the
   * followers write in parallel with it (Raft thesis §10.2.1: one disk write on the commit path
   * instead of two in a row). Safe because nothing that depends on the leader's write leaves
   * before it is durable: the leader applies and reports commits in later Readies, after the
   * sync; an early append's commit index covers only entries synced before; and the term and vote
   * must not be changing (a leader's never are). Returns the messages sent.
   */
  private sendEarly(rd: Ready): ReadonlySet<Message> | undefined {
    if ((rd.softState ?? this.soft).role !== 'leader' || rd.snapshot !== undefined) return undefined;
    if (rd.hardState !== undefined && (rd.hardState.term !== this.durableTerm || rd.hardState.vote !== this.durableVote)) return undefined;
    const first = rd.entries[0];
    const durable = first === undefined ? Infinity : first.index - 1;
    let early: Set<Message> | undefined;
    for (const m of rd.messages) {
      if (m.type !== 'app' || (m.commit ?? 0) > durable) continue;
      this.opts.endpoint.send(m.to, m);
      (early ??= new Set()).add(m);
    }
    return early;
  }

  /** Steps 2 and 3: send (what was not sent early), apply, serve reads, advance, maybe snapshot. */
  private finish(rd: Ready, sentEarly: ReadonlySet<Message> | undefined): void {
    if (this.stopped) return;
    const leaderChanged = rd.softState !== undefined && rd.softState.leader !== this.soft.leader;
    if (rd.softState !== undefined) {
      this.soft = rd.softState;
      this.events.onSoftState?.(rd.softState);
    }
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index > this.applied) {
      this.opts.stateMachine.restore(rd.snapshot.data, rd.snapshot.metadata.index);
      this.applied = rd.snapshot.metadata.index;
      this.snapshotIndex = rd.snapshot.metadata.index;
      this.proposals.superseded(this.applied);
    }
    if (rd.hardState !== undefined) {
      this.durableTerm = rd.hardState.term;
      this.durableVote = rd.hardState.vote;
    }
    for (const m of rd.messages) {
      if (sentEarly?.has(m) === true) continue;
      this.opts.endpoint.send(m.to, m);
      if (m.type === 'snap') this.node.reportSnapshot(m.to, true);
    }
    for (const e of rd.committedEntries) this.applyEntry(e);
    for (const rs of rd.readStates) this.reads.confirm(rs.context, rs.index);
    for (const context of rd.droppedReads) this.reads.dropped(context, this.soft.leader);
    // Reads not confirmed yet went to a leader that is gone: fail them now rather than at the
    // timeout (a confirmation that still arrives finds nothing to resolve).
    if (leaderChanged) this.reads.dropUnconfirmed(this.soft.leader);
    this.reads.serve(this.applied);
    this.node.advance(rd);
    this.maybeSnapshot();
  }

  private applyEntry(e: Entry): void {
    if (e.index <= this.applied) return;
    let result: unknown;
    let error: unknown;
    let failed = false;
    if (e.type === 'confChange') {
      const change = decodeConfChange(e.data);
      const config = this.node.applyConfChange(change);
      result = config;
      // The snapshot a newcomer is sent must list it, or it refuses the snapshot and never
      // catches up (found by the simulator): take one as soon as the addition applies.
      if ((change.type === 'addVoter' || change.type === 'addLearner') && this.opts.storage.firstIndex() > 1) this.snapshotDue = true;
      this.events.onConfChange?.(change, config, e.index);
    } else if (e.data.length > 0) {
      try {
        result = this.opts.stateMachine.apply(e.data, e.index);
      } catch (err) {
        failed = true;
        error = err;
      }
    }
    this.applied = e.index;
    if (this.proposals.size > 0) this.proposals.committed(e.index, e.term, failed ? { ok: false, error } : { ok: true, result });
  }

  private maybeSnapshot(): void {
    if (!this.snapshotDue && this.applied - this.snapshotIndex < this.snapshotInterval) return;
    this.snapshotDue = false;
    if (this.applied <= this.snapshotIndex) return;
    const storage = this.opts.storage;
    const data = this.opts.stateMachine.snapshot();
    storage.createSnapshot(this.applied, this.node.status().config, data);
    this.snapshotIndex = this.applied;
    const compactTo = this.applied - this.keepEntries;
    if (compactTo > storage.firstIndex()) storage.compact(compactTo);
  }
}
