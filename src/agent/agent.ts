import type { NodeDescription } from '../api/index.js';
import type { Executor, ExistingTask } from '../executor/index.js';
import { NotLeaderError } from '../raft/index.js';
import type { Clock, Logger, Random, TimerHandle } from '../runtime/index.js';
import { RpcClient } from '../rpc/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { decodeDispatcherError } from '../dispatcher/errors.js';
import { ASSIGNMENTS_TOPIC, DISPATCHER_METHODS, type AssignmentIncrement, type OpenSessionResponse } from '../dispatcher/protocol.js';
import { StatusReporter } from './reporter.js';
import { AgentSession, type SessionEnd } from './session.js';
import { Worker } from './worker.js';

/** First wait after a failed attempt to reach a manager (SwarmKit's): 100 ms. @public */
export const INITIAL_SESSION_BACKOFF_MS = 100;

/** Longest wait between attempts to reach a manager (SwarmKit's): 8 s. @public */
export const MAX_SESSION_BACKOFF_MS = 8_000;

/** Redirects to the leader followed in a row before backing off. @internal */
const MAX_REDIRECTS = 3;

/** A session shorter than this is followed by a backoff wait, as a failed attempt is. @internal */
const SHORT_SESSION_MS = 1_000;

/** Options of {@link Agent}. @public */
export interface AgentOptions {
  /** The node this agent runs for; the node object must exist (the Cluster facade creates it). */
  readonly nodeId: string;
  readonly executor: Executor;
  readonly clock: Clock;
  /** Manager choice, backoff jitter and request ids. */
  readonly random: Random;
  /** The node's endpoint (on a manager, shared with raft and the dispatcher). */
  readonly endpoint: TransportEndpoint;
  /** The addresses of the managers to try, read at every attempt. */
  readonly managers: () => readonly string[];
  readonly logger?: Logger;
  /** Deadline of a session-open call, in ms (default 3 s). */
  readonly openTimeoutMs?: number;
  /** Deadline of assignment and status calls, in ms (default 2 s). */
  readonly callTimeoutMs?: number;
  /** Wait before retrying a temporarily failed task step or a failed fetch, in ms (default 1 s). */
  readonly retryDelayMs?: number;
  /** Temporary failures of one task step retried before the task ends (default 10). */
  readonly maxTaskRetries?: number;
}

/** What an {@link Agent} has done. @public */
export interface AgentStats {
  /** True while a session is open. */
  readonly connected: boolean;
  /** The manager of the open session. */
  readonly manager: string | undefined;
  /** Sessions opened since start. */
  readonly sessions: number;
  /** Attempts to open a session that failed (timeouts, redirects not counted). */
  readonly failedAttempts: number;
  /** Full assignment sets applied. */
  readonly fullSets: number;
  /** Tasks the agent drives. */
  readonly tasks: number;
  /** Task statuses waiting for an acknowledgement. */
  readonly unacknowledged: number;
}

/**
 * Runs a node's tasks for the cluster (SwarmKit's agent): opens a session with the active
 * dispatcher (following redirects to the leader), heartbeats at the period it is given, receives
 * the node's assignment set and drives one task runner per task through the executor, reporting
 * every state. When no manager answers it retries with exponential backoff from
 * {@link INITIAL_SESSION_BACKOFF_MS} to {@link MAX_SESSION_BACKOFF_MS} with jitter, while its
 * tasks keep running; unacknowledged reports are resent to the next session.
 *
 * On start it lists the executor's runtime objects; when the first full set arrives, tasks found
 * there are adopted from their inspected state instead of being started again, and objects of
 * tasks no longer assigned to the node are removed. Stopping the agent leaves its tasks running.
 *
 * @example
 * ```ts
 * const agent = new Agent({ nodeId, executor, clock, random, endpoint, managers: () => ['manager-1'] });
 * agent.start();
 * // ...
 * await agent.stop();
 * ```
 * @public
 */
export class Agent {
  private client: RpcClient | undefined;
  private reporter: StatusReporter | undefined;
  private worker: Worker | undefined;
  private session: AgentSession | undefined;
  private stopped = false;
  private started = false;
  private sleeper: { readonly handle: TimerHandle; readonly resolve: () => void } | undefined;
  private counters = { sessions: 0, failedAttempts: 0, fullSets: 0 };

  constructor(private readonly options: AgentOptions) {}

  /** Starts connecting and running tasks. Idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const o = this.options;
    const client = new RpcClient({ endpoint: o.endpoint, clock: o.clock, random: o.random.fork('rpc'), decodeError: decodeDispatcherError, ...(o.logger ? { logger: o.logger } : {}) });
    client.onPush(ASSIGNMENTS_TOPIC, (body, from) => {
      const session = this.session;
      if (session !== undefined && from === session.manager) session.onIncrement(body as AssignmentIncrement);
    });
    const retryDelayMs = o.retryDelayMs ?? 1_000;
    const reporter = new StatusReporter(o.clock, retryDelayMs, o.logger);
    const existing: Promise<readonly ExistingTask[]> = o.executor.listTasks();
    existing.catch(() => undefined);
    this.client = client;
    this.reporter = reporter;
    this.worker = new Worker({
      nodeId: o.nodeId,
      executor: o.executor,
      clock: o.clock,
      ...(o.logger ? { logger: o.logger } : {}),
      reporter,
      existing,
      retryDelayMs,
      maxRetries: o.maxTaskRetries ?? 10,
    });
    void this.run().catch((err: unknown) => o.logger?.warn?.('agent loop ended unexpectedly', { nodeId: o.nodeId, error: String(err) }));
  }

  /**
   * Closes the session (telling the dispatcher, best effort) and stops driving tasks; the tasks
   * keep running in the executor. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeUp();
    this.session?.end({ reason: 'closed' }, true);
    this.session = undefined;
    this.worker?.close();
    this.reporter?.close();
    this.client?.close();
    await Promise.resolve();
  }

  /** True while a session with a dispatcher is open. */
  get connected(): boolean {
    return this.session !== undefined;
  }

  /** The agent's counters. */
  stats(): AgentStats {
    return {
      connected: this.session !== undefined,
      manager: this.session?.manager,
      ...this.counters,
      tasks: this.worker?.size ?? 0,
      unacknowledged: this.reporter?.size ?? 0,
    };
  }

  private async run(): Promise<void> {
    const description = await this.describe();
    if (description === undefined) return;
    let backoff = 0;
    let redirects = 0;
    let target: string | undefined;
    let rotation = 0;
    let first = true;
    while (!this.stopped) {
      const managers = this.options.managers();
      if (first && managers.length > 0) rotation = this.options.random.int(managers.length);
      first = false;
      const manager = target ?? managers[rotation % Math.max(1, managers.length)];
      target = undefined;
      if (manager === undefined) {
        backoff = this.nextBackoff(backoff);
        await this.sleep(this.jitter(backoff));
        continue;
      }
      let opened: OpenSessionResponse;
      try {
        opened = await (this.client as RpcClient).call<OpenSessionResponse>(
          manager,
          DISPATCHER_METHODS.open,
          { nodeId: this.options.nodeId, description },
          { timeoutMs: this.options.openTimeoutMs ?? 3_000 },
        );
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof NotLeaderError && err.leader !== null && err.leader !== manager && redirects < MAX_REDIRECTS) {
          redirects++;
          target = err.leader;
          continue;
        }
        redirects = 0;
        rotation++;
        this.counters.failedAttempts++;
        backoff = this.nextBackoff(backoff);
        this.options.logger?.debug?.('could not open a session', { manager, error: String(err), retryIn: backoff });
        await this.sleep(this.jitter(backoff));
        continue;
      }
      if (this.stopped) {
        (this.client as RpcClient).notify(manager, DISPATCHER_METHODS.close, { sessionId: opened.sessionId, nodeId: this.options.nodeId });
        return;
      }
      redirects = 0;
      const openedAt = this.options.clock.now();
      const end = await this.serve(manager, opened);
      if (end.reason === 'not-leader' && end.leader !== undefined && end.leader !== manager) target = end.leader;
      if (this.options.clock.now() - openedAt >= SHORT_SESSION_MS) {
        backoff = 0;
        continue;
      }
      // A session that ended at once (a flapping dispatcher) counts as a failed attempt.
      backoff = this.nextBackoff(backoff);
      await this.sleep(this.jitter(backoff));
    }
  }

  private async serve(manager: string, opened: OpenSessionResponse): Promise<SessionEnd> {
    this.counters.sessions++;
    const session = new AgentSession(
      {
        client: this.client as RpcClient,
        clock: this.options.clock,
        ...(this.options.logger ? { logger: this.options.logger } : {}),
        nodeId: this.options.nodeId,
        worker: this.worker as Worker,
        reporter: this.reporter as StatusReporter,
        callTimeoutMs: this.options.callTimeoutMs ?? 2_000,
        retryDelayMs: this.options.retryDelayMs ?? 1_000,
        onFullSet: () => this.counters.fullSets++,
      },
      manager,
      opened.sessionId,
      opened.heartbeatPeriod,
    );
    this.session = session;
    this.options.logger?.info?.('session open', { nodeId: this.options.nodeId, manager });
    session.start();
    const end = await session.done;
    if (this.session === session) this.session = undefined;
    this.options.logger?.info?.('session ended', { nodeId: this.options.nodeId, manager, reason: end.reason });
    return end;
  }

  /** The node's description, retried with backoff until the executor answers. */
  private async describe(): Promise<NodeDescription | undefined> {
    let backoff = 0;
    while (!this.stopped) {
      try {
        return await this.options.executor.describe();
      } catch (err) {
        backoff = this.nextBackoff(backoff);
        this.options.logger?.warn?.('executor describe failed; retrying', { error: String(err), retryIn: backoff });
        await this.sleep(this.jitter(backoff));
      }
    }
    return undefined;
  }

  private nextBackoff(previous: number): number {
    return previous === 0 ? INITIAL_SESSION_BACKOFF_MS : Math.min(MAX_SESSION_BACKOFF_MS, previous * 2);
  }

  /** A wait between half of `backoff` and all of it. */
  private jitter(backoff: number): number {
    return Math.round(backoff * (0.5 + 0.5 * this.options.random.next()));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const handle = this.options.clock.setTimeout(() => {
        this.sleeper = undefined;
        resolve();
      }, ms);
      this.sleeper = { handle, resolve };
    });
  }

  private wakeUp(): void {
    const sleeper = this.sleeper;
    this.sleeper = undefined;
    if (sleeper === undefined) return;
    this.options.clock.clearTimeout(sleeper.handle);
    sleeper.resolve();
  }
}
