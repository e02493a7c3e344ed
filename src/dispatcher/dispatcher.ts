import type { Subscription } from 'rxjs';
import type { NodeDescription } from '../api/index.js';
import { canTransition } from '../api/index.js';
import { ClosedError, NotFoundError, ValidationError } from '../errors/index.js';
import { NotLeaderError } from '../raft/index.js';
import { formatDuration, type Clock, type Logger, type Random } from '../runtime/index.js';
import { RpcServer, type RpcContext } from '../rpc/index.js';
import type { Store } from '../store/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { changesFor, inAssignmentSet } from './assignments.js';
import { Deadlines } from './deadlines.js';
import { SessionInvalidError } from './errors.js';
import {
  ASSIGNMENTS_TOPIC,
  DISPATCHER_METHODS,
  type AssignmentSet,
  type HeartbeatResponse,
  type OpenSessionRequest,
  type OpenSessionResponse,
  type SessionRequest,
  type StatusRequest,
  type StatusResponse,
} from './protocol.js';
import { SessionTable, type Session } from './sessions.js';
import { readSettings, type DispatcherSettings } from './settings.js';
import { StatusWriter } from './status-writer.js';
import { orphanTasks } from './orphan.js';
import { cleanStatus } from './clean-status.js';

/** Heartbeat periods a node may miss before it is marked down (SwarmKit's grace multiplier). @public */
export const HEARTBEAT_GRACE_MULTIPLIER = 3;

/** Heartbeat periods a node left `unknown` by a leader change has to check in (twice the normal grace). @public */
export const UNKNOWN_GRACE_MULTIPLIER = 6;

/** Options of {@link Dispatcher}. @public */
export interface DispatcherOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Session ids and heartbeat jitter. */
  readonly random: Random;
  /** This manager's endpoint (shared with raft and the manager's own agent). */
  readonly endpoint: TransportEndpoint;
  readonly logger?: Logger;
  /** The raft leader's address, named in the redirect an inactive dispatcher answers with. */
  readonly leaderAddress?: () => string | undefined;
  /** Heartbeat period when the cluster object sets none, in ms (default 5 s). The cluster's setting wins. */
  readonly heartbeatPeriod?: number;
  /** Down time after which a node's tasks are orphaned when the cluster object sets none, in ms (default 24 h). */
  readonly nodeDownPeriod?: number;
  /** How long status reports are gathered before they are written, in ms (default 100). */
  readonly statusFlushInterval?: number;
  /** Queued status reports that trigger a write at once (default 10,000). */
  readonly maxQueuedStatuses?: number;
  /** Most tasks changed per store transaction (default 10,000; halved while the store finds it too large). */
  readonly statusBatchSize?: number;
  /** How long assignment changes are gathered before they are pushed, in ms (default 50). */
  readonly assignmentBatchInterval?: number;
}

/** What a {@link Dispatcher} has done, for monitoring and tests. @public */
export interface DispatcherStats {
  readonly active: boolean;
  /** Open sessions. */
  readonly sessions: number;
  /** Status reports received (each update of each request). */
  readonly statusReports: number;
  /** Reports written to the store. */
  readonly statusWritten: number;
  /** Reports dropped because the task belongs to another node. */
  readonly droppedWrongNode: number;
  /** Reports dropped because they did not move the task forward. */
  readonly droppedStale: number;
  /** Reports dropped because the task does not exist. */
  readonly droppedUnknownTask: number;
  /** Store transactions the status writer committed (node and task writes). */
  readonly transactions: number;
  /** Flushes of the status writer. */
  readonly flushes: number;
  /** Full assignment sets sent. */
  readonly fullAssignments: number;
  /** Assignment increments pushed. */
  readonly incrementalAssignments: number;
  /** Tasks marked orphaned. */
  readonly orphaned: number;
}

type Expiry = 'session' | 'unknown' | 'disconnected';

/**
 * Undelivered task events the dispatcher's watch may hold (scheduler and status transactions
 * change up to 10,000 tasks each, and several may commit between deliveries). Past it the watch
 * is renewed and every agent fetches its full set.
 */
const TASK_WATCH_BUFFER = 200_000;

/**
 * The manager's side of every agent's session (SwarmKit's dispatcher): opens sessions, tracks
 * heartbeats and marks nodes ready, down or disconnected, sends each agent its assigned tasks (a
 * full set, then numbered increments) and writes the task states agents report, in batches.
 *
 * Every manager constructs one on its endpoint and calls {@link Dispatcher.start}; only the raft
 * leader's is {@link Dispatcher.activate | active} (a single manager without raft activates its
 * own at once). An inactive dispatcher answers every call with `NotLeaderError` naming the
 * leader's address, which agents follow.
 *
 * Liveness: the heartbeat period comes from the cluster object (`spec.dispatcher.heartbeatPeriod`,
 * default 5 s) and is handed to agents with ±10 % jitter. A node that misses
 * {@link HEARTBEAT_GRACE_MULTIPLIER} periods goes `down` ("heartbeat failure"). On activation,
 * every node not already down becomes `unknown` and gets {@link UNKNOWN_GRACE_MULTIPLIER} periods
 * to open a session. An agent that closes its session cleanly leaves its node `disconnected`,
 * which turns `down` if it does not return within the normal grace. Tasks in `assigned` …
 * `running` on a node down for longer than the node-down period (cluster
 * `spec.dispatcher.nodeDownPeriod`, default 24 h, counted from activation for nodes already down)
 * become `orphaned`.
 *
 * @public
 */
export class Dispatcher {
  private server: RpcServer | undefined;
  private isActive = false;
  private stopped = false;
  private generation = 0;
  private settings: DispatcherSettings;
  private readonly sessions: SessionTable;
  private readonly liveness: Deadlines<Expiry>;
  private readonly downNodes: Deadlines<'orphan'>;
  private readonly writer: StatusWriter;
  private subscriptions: Subscription[] = [];
  private counters = { statusReports: 0, fullAssignments: 0, orphaned: 0 };

  constructor(private readonly options: DispatcherOptions) {
    this.settings = { heartbeatPeriod: options.heartbeatPeriod ?? 5_000, nodeDownPeriod: options.nodeDownPeriod ?? 24 * 3_600_000 };
    this.sessions = new SessionTable(options.clock, options.assignmentBatchInterval ?? 50, (session, message) => {
      this.server?.push(session.addr, ASSIGNMENTS_TOPIC, message);
    });
    this.liveness = new Deadlines(options.clock, (nodeId, why) => this.expired(nodeId, why));
    this.downNodes = new Deadlines(options.clock, (nodeId) => this.orphan(nodeId));
    this.writer = new StatusWriter({
      store: options.store,
      clock: options.clock,
      ...(options.logger ? { logger: options.logger } : {}),
      interval: options.statusFlushInterval ?? 100,
      maxQueued: options.maxQueuedStatuses ?? 10_000,
      batchSize: options.statusBatchSize ?? 10_000,
    });
  }

  /** True while this dispatcher serves sessions (its manager leads). */
  get active(): boolean {
    return this.isActive;
  }

  /** Starts answering calls on the endpoint (with redirects until activated). Idempotent. */
  start(): void {
    if (this.server !== undefined || this.stopped) return;
    const server = new RpcServer({ endpoint: this.options.endpoint, clock: this.options.clock, ...(this.options.logger ? { logger: this.options.logger } : {}) });
    server.handle(DISPATCHER_METHODS.open, (body: OpenSessionRequest, ctx) => this.open(body, ctx));
    server.handle(DISPATCHER_METHODS.heartbeat, (body: SessionRequest) => this.heartbeat(body), { idempotent: true });
    server.handle(DISPATCHER_METHODS.assignments, (body: SessionRequest) => this.assignments(body), { idempotent: true });
    server.handle(DISPATCHER_METHODS.status, (body: StatusRequest) => this.status(body), { idempotent: true });
    server.handle(DISPATCHER_METHODS.close, (body: SessionRequest) => this.close(body), { idempotent: true });
    this.server = server;
  }

  /** Deactivates and stops answering; the endpoint stays open. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.deactivate();
    this.stopped = true;
    this.writer.close(new ClosedError('dispatcher'));
    this.server?.close();
    this.server = undefined;
    await Promise.resolve();
  }

  /**
   * Makes this dispatcher the active one (its manager became the leader): reads the cluster's
   * settings, moves every node not down to `unknown` with a grace period, and starts watching
   * tasks. Starts the dispatcher if needed. Idempotent.
   */
  activate(): void {
    if (this.isActive || this.stopped) return;
    this.start();
    this.isActive = true;
    this.generation++;
    this.writer.reopen();
    this.settings = this.options.store.view((tx) => readSettings(tx, this.options));
    this.watchCluster();
    this.watchTasks();
    this.markNodesUnknown();
  }

  /** Stops serving sessions (leadership lost): drops sessions, timers and queued writes. Idempotent. */
  deactivate(): void {
    if (!this.isActive) return;
    this.isActive = false;
    this.generation++;
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions = [];
    this.sessions.clear();
    this.liveness.clear();
    this.downNodes.clear();
    this.writer.close(this.notLeader());
  }

  /** Writes the queued status reports and node changes now. */
  flush(): Promise<void> {
    return this.writer.flushNow();
  }

  /** The dispatcher's counters. */
  stats(): DispatcherStats {
    const w = this.writer.counters;
    return {
      active: this.isActive,
      sessions: this.sessions.size,
      statusReports: this.counters.statusReports,
      statusWritten: w.written,
      droppedWrongNode: w.droppedWrongNode,
      droppedStale: w.droppedStale,
      droppedUnknownTask: w.droppedUnknown,
      transactions: w.transactions,
      flushes: w.flushes,
      fullAssignments: this.counters.fullAssignments,
      incrementalAssignments: this.sessions.increments,
      orphaned: this.counters.orphaned,
    };
  }

  private notLeader(): NotLeaderError {
    const leader = this.options.leaderAddress?.();
    return new NotLeaderError(leader === undefined || leader === this.options.endpoint.address ? null : leader);
  }

  private assertActive(): void {
    if (!this.isActive) throw this.notLeader();
  }

  private session(body: SessionRequest): Session {
    this.assertActive();
    const session = typeof body?.sessionId === 'string' ? this.sessions.get(body.sessionId, body.nodeId) : undefined;
    if (session === undefined) throw new SessionInvalidError(String(body?.sessionId));
    return session;
  }

  private jittered(): number {
    return Math.round(this.settings.heartbeatPeriod * (0.9 + 0.2 * this.options.random.next()));
  }

  private async open(body: OpenSessionRequest, ctx: RpcContext): Promise<OpenSessionResponse> {
    this.assertActive();
    if (typeof body?.nodeId !== 'string' || body.nodeId === '') throw new ValidationError([{ path: 'nodeId', message: 'must be a non-empty string' }]);
    if (typeof body.description !== 'object' || body.description === null || typeof body.description.hostname !== 'string') {
      throw new ValidationError([{ path: 'description', message: 'must be a node description with a hostname' }]);
    }
    const nodeId = body.nodeId;
    if (this.options.store.view((tx) => tx.nodes.get(nodeId)) === undefined) throw new NotFoundError('node', nodeId);
    const session = this.sessions.open(this.options.random.id(), nodeId, ctx.from);
    this.liveness.set(nodeId, this.options.clock.now() + HEARTBEAT_GRACE_MULTIPLIER * this.settings.heartbeatPeriod, 'session');
    this.downNodes.delete(nodeId);
    this.writer.queueNode(nodeId, { status: { state: 'ready', addr: ctx.from }, description: body.description as NodeDescription });
    const generation = this.generation;
    await this.writer.flushed();
    if (generation !== this.generation) throw this.notLeader();
    if (this.sessions.get(session.id, nodeId) === undefined) throw new SessionInvalidError(session.id);
    this.options.logger?.info?.('node ready', { nodeId, addr: ctx.from });
    return { sessionId: session.id, heartbeatPeriod: this.jittered() };
  }

  private heartbeat(body: SessionRequest): HeartbeatResponse {
    const session = this.session(body);
    if (this.options.store.view((tx) => tx.nodes.get(session.nodeId)) === undefined) {
      // The node was removed from the cluster: its session ends, and opening a new one fails.
      this.sessions.end(session.nodeId);
      this.liveness.delete(session.nodeId);
      throw new SessionInvalidError(session.id);
    }
    this.liveness.set(session.nodeId, this.options.clock.now() + HEARTBEAT_GRACE_MULTIPLIER * this.settings.heartbeatPeriod, 'session');
    return { period: this.jittered(), seq: session.seq };
  }

  private assignments(body: SessionRequest): AssignmentSet {
    const session = this.session(body);
    const { tasks, index } = this.options.store.view((tx) => ({
      tasks: tx.tasks.find({ nodeId: session.nodeId }).filter((t) => inAssignmentSet(t)),
      index: tx.index,
    }));
    this.counters.fullAssignments++;
    return { sessionId: session.id, seq: session.seq, index, tasks };
  }

  private status(body: StatusRequest): StatusResponse {
    const session = this.session(body);
    const updates = Array.isArray(body.updates) ? body.updates : [];
    let accepted = 0;
    let dropped = 0;
    this.options.store.view((tx) => {
      for (const update of updates) {
        this.counters.statusReports++;
        const status = cleanStatus(update?.status);
        const task = typeof update?.taskId === 'string' ? tx.tasks.get(update.taskId) : undefined;
        if (status === undefined || task === undefined) {
          dropped++;
          this.writer.counters.droppedUnknown += task === undefined ? 1 : 0;
        } else if (task.nodeId !== session.nodeId) {
          dropped++;
          this.writer.counters.droppedWrongNode++;
          this.options.logger?.warn?.('status report for a task of another node dropped', { taskId: task.id, from: session.nodeId, owner: task.nodeId });
        } else if (!canTransition(task.status.state, status.state)) {
          dropped++;
          this.writer.counters.droppedStale++;
        } else {
          accepted++;
          this.writer.queueTask(session.nodeId, task.id, status);
        }
      }
    });
    return { accepted, dropped };
  }

  private close(body: SessionRequest): Record<string, never> {
    this.assertActive();
    const session = typeof body?.sessionId === 'string' ? this.sessions.get(body.sessionId, body.nodeId) : undefined;
    if (session === undefined) return {};
    this.sessions.end(session.nodeId);
    this.writer.queueNode(session.nodeId, { status: { state: 'disconnected', message: 'node closed its session' } });
    this.liveness.set(session.nodeId, this.options.clock.now() + HEARTBEAT_GRACE_MULTIPLIER * this.settings.heartbeatPeriod, 'disconnected');
    return {};
  }

  private expired(nodeId: string, why: Expiry): void {
    if (!this.isActive) return;
    this.sessions.end(nodeId);
    const message = why === 'unknown' ? 'heartbeat failure for node in "unknown" state' : 'heartbeat failure';
    this.writer.queueNode(nodeId, { status: { state: 'down', message } });
    this.downNodes.set(nodeId, this.options.clock.now() + this.settings.nodeDownPeriod, 'orphan');
    this.options.logger?.info?.('node down', { nodeId, reason: message });
  }

  private orphan(nodeId: string): void {
    if (!this.isActive) return;
    const generation = this.generation;
    const message = `task orphaned: node down for longer than ${formatDuration(this.settings.nodeDownPeriod)}`;
    orphanTasks(this.options.store, nodeId, message, this.options.clock.now()).then(
      (count) => {
        this.counters.orphaned += count;
        if (count > 0) this.options.logger?.info?.('tasks orphaned', { nodeId, count });
      },
      (err: unknown) => {
        if (generation !== this.generation) return;
        this.options.logger?.debug?.('orphaning failed; retrying', { nodeId, error: String(err) });
        this.downNodes.set(nodeId, this.options.clock.now() + 1_000, 'orphan');
      },
    );
  }

  /** Follows changes of the cluster's heartbeat and node-down periods. */
  private watchCluster(): void {
    const generation = this.generation;
    const subscription = this.options.store.watch({ kind: 'cluster' }).subscribe({
      next: () => {
        this.settings = this.options.store.view((tx) => readSettings(tx, this.options));
      },
      error: () => {
        if (generation !== this.generation) return;
        this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
        this.settings = this.options.store.view((tx) => readSettings(tx, this.options));
        this.watchCluster();
      },
    });
    this.subscriptions.push(subscription);
  }

  private watchTasks(): void {
    const generation = this.generation;
    const subscription = this.options.store.watch({ kind: 'task', bufferSize: TASK_WATCH_BUFFER }).subscribe({
      next: (event) => {
        if (event.type === 'commit') return;
        for (const { nodeId, change } of changesFor(event)) this.sessions.queue(nodeId, change);
      },
      error: (err: unknown) => {
        if (generation !== this.generation) return;
        this.options.logger?.warn?.('dispatcher task watch ended; agents resync', { error: String(err) });
        this.subscriptions = this.subscriptions.filter((s) => s !== subscription);
        this.watchTasks();
        this.sessions.resyncAll();
      },
    });
    this.subscriptions.push(subscription);
  }

  /** After a leader change: nodes not down become `unknown` with a longer grace; down nodes start their orphaning clock. */
  private markNodesUnknown(): void {
    const now = this.options.clock.now();
    const nodes = this.options.store.view((tx) => tx.nodes.all());
    for (const node of nodes) {
      if (node.status.state === 'down') {
        this.downNodes.set(node.id, now + this.settings.nodeDownPeriod, 'orphan');
        continue;
      }
      this.writer.queueNode(node.id, { status: { state: 'unknown', message: 'node moved to "unknown" state after a leadership change' } });
      this.liveness.set(node.id, now + UNKNOWN_GRACE_MULTIPLIER * this.settings.heartbeatPeriod, 'unknown');
    }
  }
}
