import { NotLeaderError } from '../raft/index.js';
import type { Clock, Logger, TimerHandle } from '../runtime/index.js';
import type { RpcClient } from '../rpc/index.js';
import { SessionInvalidError } from '../dispatcher/errors.js';
import {
  DISPATCHER_METHODS,
  type AssignmentIncrement,
  type AssignmentSet,
  type HeartbeatResponse,
  type StatusResponse,
  type TaskStatusUpdate,
} from '../dispatcher/protocol.js';
import type { StatusReporter, StatusSink } from './reporter.js';
import type { Worker } from './worker.js';

/** Increments held while an earlier one is missing (bounded; past it the agent resyncs). @internal */
export const MAX_BUFFERED_INCREMENTS = 64;

/** How long a gap in the increments may stay open before the agent asks for the full set. @internal */
export const GAP_TIMEOUT_MS = 500;

/** Why a session ended. @internal */
export type SessionEnd =
  | { readonly reason: 'heartbeat-failed' | 'invalid' | 'closed'; readonly leader?: undefined }
  | { readonly reason: 'not-leader'; readonly leader: string | undefined };

/** What a session needs from its agent. @internal */
export interface SessionDeps {
  readonly client: RpcClient;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly nodeId: string;
  readonly worker: Worker;
  readonly reporter: StatusReporter;
  /** Deadline of every call but the heartbeat, in ms. */
  readonly callTimeoutMs: number;
  /** Wait before asking again for a full set that did not come. */
  readonly retryDelayMs: number;
  /** Counts full sets applied. */
  readonly onFullSet: () => void;
}

/**
 * One session with the active dispatcher (SwarmKit's agent session): heartbeats at the period
 * the dispatcher hands out, keeps the worker's assignment set in step — one full set, then
 * increments applied strictly in sequence, with a short reorder buffer; a gap that does not fill
 * within {@link GAP_TIMEOUT_MS}, a resync hint, or a heartbeat showing the dispatcher further
 * along makes it fetch the full set again — and lends the reporter its status channel.
 *
 * It ends, resolving {@link AgentSession.done}, when a heartbeat goes unanswered, when the
 * dispatcher no longer knows it, or when the dispatcher lost leadership.
 *
 * @internal
 */
export class AgentSession {
  readonly done: Promise<SessionEnd>;
  private resolveDone!: (end: SessionEnd) => void;
  private ended = false;
  private heartbeatTimer: TimerHandle | undefined;
  private gapTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  /** Sequence number of the last assignment message applied; undefined before the first full set. */
  private applied: number | undefined;
  /** Highest sequence number heard of. */
  private known = 0;
  private baseIndex = 0;
  private fetching = false;
  private fetchAgain = false;
  private readonly buffer = new Map<number, AssignmentIncrement>();
  private readonly sink: StatusSink;

  constructor(
    private readonly deps: SessionDeps,
    readonly manager: string,
    readonly sessionId: string,
    private period: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.sink = (updates) => this.sendStatus(updates);
  }

  /** Starts heartbeating, fetches the full set and takes over status reporting. */
  start(): void {
    this.scheduleHeartbeat();
    this.fetchFull('session start');
    this.deps.reporter.attach(this.sink);
  }

  /** Ends the session; with `notify`, tells the dispatcher (best effort). */
  end(end: SessionEnd, notify = false): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of [this.heartbeatTimer, this.gapTimer, this.retryTimer]) if (t !== undefined) this.deps.clock.clearTimeout(t);
    this.deps.reporter.detach(this.sink);
    if (notify) this.deps.client.notify(this.manager, DISPATCHER_METHODS.close, this.request());
    this.resolveDone(end);
  }

  /** Takes an assignment increment pushed by the dispatcher. */
  onIncrement(message: AssignmentIncrement): void {
    if (this.ended || message.sessionId !== this.sessionId || typeof message.seq !== 'number') return;
    this.known = Math.max(this.known, message.seq);
    if (message.resync === true) {
      this.fetchFull('dispatcher asked');
      return;
    }
    if (this.applied !== undefined && message.seq <= this.applied) return;
    if (this.applied !== undefined && message.seq === this.applied + 1) {
      this.apply(message);
      this.drain();
    } else if (this.buffer.size < MAX_BUFFERED_INCREMENTS) {
      this.buffer.set(message.seq, message);
    }
    this.checkGap();
  }

  private request(): { sessionId: string; nodeId: string } {
    return { sessionId: this.sessionId, nodeId: this.deps.nodeId };
  }

  private apply(message: AssignmentIncrement): void {
    this.applied = message.seq;
    this.deps.worker.applyChanges(message.changes, this.baseIndex);
  }

  /** Applies buffered increments that are now next in line; drops those already covered. */
  private drain(): void {
    for (;;) {
      if (this.applied === undefined) return;
      for (const seq of this.buffer.keys()) if (seq <= this.applied) this.buffer.delete(seq);
      const next = this.buffer.get(this.applied + 1);
      if (next === undefined) return;
      this.buffer.delete(next.seq);
      this.apply(next);
    }
  }

  /** Arms the gap timer while the dispatcher is known to be ahead of what was applied. */
  private checkGap(): void {
    const behind = this.applied !== undefined && this.known > this.applied;
    if (!behind) {
      if (this.gapTimer !== undefined) this.deps.clock.clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
      return;
    }
    if (this.gapTimer !== undefined) return;
    this.gapTimer = this.deps.clock.setTimeout(() => {
      this.gapTimer = undefined;
      if (this.applied !== undefined && this.known > this.applied) this.fetchFull(`gap: applied ${this.applied}, dispatcher at ${this.known}`);
    }, GAP_TIMEOUT_MS);
  }

  private fetchFull(reason: string): void {
    if (this.ended) return;
    this.deps.logger?.debug?.('fetching the full assignment set', { nodeId: this.deps.nodeId, reason });
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = true;
    this.deps.client
      .call<AssignmentSet>(this.manager, DISPATCHER_METHODS.assignments, this.request(), { timeoutMs: this.deps.callTimeoutMs })
      .then(
        (set) => {
          this.fetching = false;
          if (this.ended) return;
          if (this.applied === undefined || set.seq >= this.applied) {
            this.applied = set.seq;
            this.baseIndex = set.index;
            this.known = Math.max(this.known, set.seq);
            this.deps.worker.applyFull(set.tasks);
            this.deps.onFullSet();
            this.drain();
          }
          if (this.fetchAgain) {
            this.fetchAgain = false;
            this.fetchFull('requested while fetching');
          } else this.checkGap();
        },
        (err: unknown) => {
          this.fetching = false;
          this.fetchAgain = false;
          if (this.ended) return;
          if (this.failed(err)) return;
          this.retryTimer = this.deps.clock.setTimeout(() => {
            this.retryTimer = undefined;
            this.fetchFull('retry');
          }, this.deps.retryDelayMs);
        },
      );
  }

  private scheduleHeartbeat(): void {
    if (this.ended) return;
    this.heartbeatTimer = this.deps.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.heartbeat();
    }, this.period);
  }

  private heartbeat(): void {
    this.deps.client
      .call<HeartbeatResponse>(this.manager, DISPATCHER_METHODS.heartbeat, this.request(), { timeoutMs: Math.max(500, this.period) })
      .then(
        (r) => {
          if (this.ended) return;
          if (typeof r.period === 'number' && r.period > 0) this.period = r.period;
          if (typeof r.seq === 'number') this.known = Math.max(this.known, r.seq);
          this.checkGap();
          this.scheduleHeartbeat();
        },
        (err: unknown) => {
          if (this.ended) return;
          if (this.failed(err)) return;
          this.deps.logger?.info?.('heartbeat failed; reconnecting', { manager: this.manager, error: String(err) });
          this.end({ reason: 'heartbeat-failed' });
        },
      );
  }

  private async sendStatus(updates: readonly TaskStatusUpdate[]): Promise<void> {
    try {
      await this.deps.client.call<StatusResponse>(this.manager, DISPATCHER_METHODS.status, { ...this.request(), updates }, { timeoutMs: this.deps.callTimeoutMs });
    } catch (err) {
      this.failed(err);
      throw err;
    }
  }

  /** Ends the session when `err` says it is over; true when it did. */
  private failed(err: unknown): boolean {
    if (err instanceof SessionInvalidError) {
      this.end({ reason: 'invalid' });
      return true;
    }
    if (err instanceof NotLeaderError) {
      this.end({ reason: 'not-leader', leader: err.leader ?? undefined });
      return true;
    }
    return false;
  }
}
