import type { TaskStatus } from '../api/index.js';
import type { Clock, Logger, TimerHandle } from '../runtime/index.js';
import { MAX_STATUS_UPDATES_PER_MESSAGE, type TaskStatusUpdate } from '../dispatcher/protocol.js';

/**
 * How long the reporter gathers states before it sends a batch, in ms: the states a task passes
 * through within it (ready, starting, running) and those of the node's other tasks go out as one
 * message, of which the dispatcher writes only the furthest per task anyway.
 *
 * @internal
 */
export const REPORT_GATHER_MS = 50;

/** Sends one batch of status updates and resolves once the dispatcher acknowledged it. @internal */
export type StatusSink = (updates: readonly TaskStatusUpdate[]) => Promise<void>;

/**
 * Sends every state the agent's tasks reach to the current session, in batches of at most
 * {@link MAX_STATUS_UPDATES_PER_MESSAGE} updates, one batch at a time, and holds each until it is
 * acknowledged. As in SwarmKit's reporter, it keeps the latest unacknowledged state per task: a
 * state superseded before it could be sent is not sent, since the dispatcher would write only the
 * furthest one anyway. A new state waits {@link REPORT_GATHER_MS} for others to join it; the next
 * batch goes out as soon as the previous one is acknowledged. A
 * state leaves the queue when a batch carrying it was acknowledged and no newer state of the task
 * arrived meanwhile; a failed batch is resent after `retryDelayMs`, or to the next session. The
 * queue holds at most one entry per task the agent runs.
 *
 * @internal
 */
export class StatusReporter {
  private readonly pending = new Map<string, TaskStatus>();
  private sink: StatusSink | undefined;
  private sending = false;
  private timer: TimerHandle | undefined;
  private closed = false;
  /** Updates acknowledged by a dispatcher. */
  acknowledged = 0;

  constructor(
    private readonly clock: Clock,
    private readonly retryDelayMs: number,
    private readonly logger?: Logger,
    private readonly gatherMs = REPORT_GATHER_MS,
  ) {}

  /** Tasks with a state waiting for an acknowledgement. */
  get size(): number {
    return this.pending.size;
  }

  /** Queues `status` as the task's latest state. */
  report(taskId: string, status: TaskStatus): void {
    if (this.closed) return;
    this.pending.set(taskId, status);
    this.schedule(this.gatherMs);
  }

  /** Drops whatever is queued for a task that no longer exists. */
  forget(taskId: string): void {
    this.pending.delete(taskId);
  }

  /** Sends through `sink` from now on (a session opened). */
  attach(sink: StatusSink): void {
    this.sink = sink;
    this.schedule(0);
  }

  /** Stops sending through `sink` (its session ended); queued states wait for the next session. */
  detach(sink: StatusSink): void {
    if (this.sink === sink) this.sink = undefined;
  }

  close(): void {
    this.closed = true;
    this.sink = undefined;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined || this.sending || this.sink === undefined || this.pending.size === 0 || this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, delay);
  }

  private async send(): Promise<void> {
    const sink = this.sink;
    if (sink === undefined || this.sending || this.closed) return;
    const batch: TaskStatusUpdate[] = [];
    for (const [taskId, status] of this.pending) {
      batch.push({ taskId, status });
      if (batch.length >= MAX_STATUS_UPDATES_PER_MESSAGE) break;
    }
    if (batch.length === 0) return;
    this.sending = true;
    let delay = 0;
    try {
      await sink(batch);
      this.acknowledged += batch.length;
      for (const { taskId, status } of batch) if (this.pending.get(taskId) === status) this.pending.delete(taskId);
    } catch (err) {
      this.logger?.debug?.('status report not acknowledged; will resend', { error: String(err), updates: batch.length });
      delay = this.retryDelayMs;
    } finally {
      this.sending = false;
    }
    this.schedule(delay);
  }
}
