import { ClosedError, ProposalLostError, QuorumLostError } from '../errors/index.js';
import { every, parseDuration, type Clock, type Duration, type Random, type TimerHandle } from '../runtime/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { decodeConfChange, type ConfChange } from './conf-change.js';
import type { ConfState, Entry, Message, SoftState } from './messages.js';
import { RaftNode, type RaftStatus } from './raft-node.js';
import type { Ready } from './ready.js';
import type { RaftStorage } from './storage.js';

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
  /** Where raft messages come from and go to (addressed by member id). */
  readonly endpoint: TransportEndpoint<Message>;
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
}

/** What the driver reports as it runs. @public */
export interface RaftDriverEvents {
  /** The leader or this member's role changed. */
  onSoftState?(state: SoftState): void;
  /** A membership change was applied. */
  onConfChange?(change: ConfChange, config: ConfState, index: number): void;
  /**
   * The storage failed to persist (its `sync()` rejected). The member stops: raft cannot go on
   * without durable writes. Pending proposals and reads are rejected with this error.
   */
  onFatalError?(error: unknown): void;
}

/** The result of a committed proposal. @public */
export interface Committed<T = unknown> {
  /** The log index the entry was committed at. */
  readonly index: number;
  /** What the state machine's `apply` returned on this member. */
  readonly result: T;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Pending {
  readonly term: number;
  readonly resolve: (c: Committed) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: TimerHandle;
}

interface PendingRead {
  readonly resolve: (index: number) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: TimerHandle;
  index?: number;
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
  private readonly pending = new Map<number, Pending>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly waitingReads: PendingRead[] = [];
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
  private readSeq = 0;
  /** A member was added while the log is compacted: snapshot now so its membership includes it. */
  private snapshotDue = false;
  private kickQueued = false;
  private soft: SoftState = { leader: null, role: 'follower' };

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
      if (this.stopped) return;
      try {
        this.node.step(message);
      } catch {
        // A message the core refuses (stale, from a removed member) is dropped, as raft expects.
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
    for (const p of this.pending.values()) {
      this.opts.clock.clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    for (const r of [...this.reads.values(), ...this.waitingReads]) {
      this.opts.clock.clearTimeout(r.timer);
      r.reject(err);
    }
    this.reads.clear();
    this.waitingReads.length = 0;
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
   * threw, with {@link ProposalLostError} when another entry took its place, or with
   * {@link QuorumLostError} after the proposal timeout (outcome unknown).
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
   */
  readBarrier(): Promise<number> {
    if (this.stopped) return Promise.reject(new ClosedError(`raft member ${this.opts.id}`));
    const key = `${this.opts.id}:${++this.readSeq}`;
    return new Promise<number>((resolve, reject) => {
      const timer = this.opts.clock.setTimeout(() => {
        this.reads.delete(key);
        const i = this.waitingReads.indexOf(read);
        if (i >= 0) this.waitingReads.splice(i, 1);
        reject(new QuorumLostError(`read not confirmed by a quorum within ${this.proposalTimeout} ms`));
      }, this.proposalTimeout);
      const read: PendingRead = { resolve, reject, timer };
      this.reads.set(key, read);
      try {
        this.node.readIndex(encoder.encode(key));
      } catch (err) {
        this.opts.clock.clearTimeout(timer);
        this.reads.delete(key);
        reject(err);
        return;
      }
      this.kick();
    });
  }

  private track(submit: () => { index: number; term: number }): Promise<Committed> {
    if (this.stopped) return Promise.reject(new ClosedError(`raft member ${this.opts.id}`));
    const pos = submit();
    return new Promise<Committed>((resolve, reject) => {
      const timer = this.opts.clock.setTimeout(() => {
        if (this.pending.get(pos.index)?.timer === timer) this.pending.delete(pos.index);
        reject(new QuorumLostError(`write at index ${pos.index} not committed within ${this.proposalTimeout} ms (no quorum); its outcome is unknown`));
      }, this.proposalTimeout);
      this.pending.get(pos.index)?.reject(new ProposalLostError(`entry ${pos.index} was replaced`));
      this.pending.set(pos.index, { term: pos.term, resolve, reject, timer });
      this.kickSoon();
    });
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
    for (;;) {
      this.again = false;
      while (!this.stopped && this.node.hasReady()) {
        const rd = this.node.ready();
        const barrier = this.persist(rd);
        if (barrier !== undefined) {
          // Asynchronous durability: finish this Ready after the sync, then carry on.
          barrier.then(
            () => {
              this.finish(rd);
              this.loop();
            },
            (err: unknown) => {
              this.processing = false;
              this.stop(err);
              this.events.onFatalError?.(err);
            },
          );
          return;
        }
        this.finish(rd);
      }
      if (!this.again || this.stopped) break;
    }
    this.processing = false;
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

  /** Steps 2 and 3: send, apply, serve reads, advance, maybe snapshot. */
  private finish(rd: Ready): void {
    if (this.stopped) return;
    if (rd.softState !== undefined) {
      this.soft = rd.softState;
      this.events.onSoftState?.(rd.softState);
    }
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index > this.applied) {
      this.opts.stateMachine.restore(rd.snapshot.data, rd.snapshot.metadata.index);
      this.applied = rd.snapshot.metadata.index;
      this.snapshotIndex = rd.snapshot.metadata.index;
      for (const [index, p] of this.pending) {
        if (index > this.applied) continue;
        this.pending.delete(index);
        this.opts.clock.clearTimeout(p.timer);
        p.reject(new QuorumLostError(`write at index ${index} was superseded by a snapshot; its outcome is unknown`));
      }
    }
    for (const m of rd.messages) {
      this.opts.endpoint.send(m.to, m);
      if (m.type === 'snap') this.node.reportSnapshot(m.to, true);
    }
    for (const e of rd.committedEntries) this.applyEntry(e);
    for (const rs of rd.readStates) {
      const key = decoder.decode(rs.context);
      const read = this.reads.get(key);
      if (read === undefined) continue;
      this.reads.delete(key);
      read.index = rs.index;
      this.waitingReads.push(read);
    }
    this.serveReads();
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
    const p = this.pending.get(e.index);
    if (p === undefined) return;
    this.pending.delete(e.index);
    this.opts.clock.clearTimeout(p.timer);
    if (p.term !== e.term) p.reject(new ProposalLostError(`entry ${e.index} was replaced after a leader change; retry`));
    else if (failed) p.reject(error);
    else p.resolve({ index: e.index, result });
  }

  private serveReads(): void {
    for (let i = this.waitingReads.length - 1; i >= 0; i--) {
      const r = this.waitingReads[i] as PendingRead;
      if ((r.index ?? Infinity) > this.applied) continue;
      this.waitingReads.splice(i, 1);
      this.opts.clock.clearTimeout(r.timer);
      r.resolve(r.index as number);
    }
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
