import type { NodeDescription, NodeStatus, TaskStatus } from '../api/index.js';
import { canTransition, taskStateOrder } from '../api/index.js';
import { TransactionTooLargeError } from '../errors/index.js';
import type { Clock, Logger, TimerHandle } from '../runtime/index.js';
import { assignFields, type Store, type WriteTx } from '../store/index.js';

/** A change to a node the dispatcher writes: its status, its description, or both. @internal */
export interface NodeUpdate {
  readonly status?: NodeStatus;
  readonly description?: NodeDescription;
}

interface QueuedStatus {
  readonly nodeId: string;
  readonly status: TaskStatus;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Counters of the status writer. @internal */
export interface WriterCounters {
  flushes: number;
  transactions: number;
  written: number;
  droppedStale: number;
  droppedWrongNode: number;
  droppedUnknown: number;
  failedFlushes: number;
}

/** Options of {@link StatusWriter}. @internal */
export interface StatusWriterOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Flush this long after the first report is queued. */
  readonly interval: number;
  /** Flush at once when this many task reports are queued. */
  readonly maxQueued: number;
  /** Most objects changed per store transaction. */
  readonly batchSize: number;
}

/**
 * Queues the dispatcher's writes — task status reports and node status/description changes — and
 * writes them in few transactions: `interval` after the first queued item, or at once when
 * `maxQueued` task reports wait (SwarmKit: 100 ms, 10,000). Several reports of one task coalesce
 * into the furthest one, so a task that went accepted → … → running within one interval costs one
 * write. Each report is checked again at write time: the task must exist, belong to the reporting
 * node, and the report must move it forward, else it is dropped and counted. A failed flush
 * (leadership lost, quorum lost) puts its items back, unless newer ones arrived, and retries.
 *
 * @internal
 */
export class StatusWriter {
  private tasks = new Map<string, QueuedStatus>();
  private nodes = new Map<string, NodeUpdate>();
  private waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;
  private flushing = false;
  private again = false;
  private closed = false;
  private batchSize: number;
  readonly counters: WriterCounters = { flushes: 0, transactions: 0, written: 0, droppedStale: 0, droppedWrongNode: 0, droppedUnknown: 0, failedFlushes: 0 };

  constructor(private readonly options: StatusWriterOptions) {
    this.batchSize = options.batchSize;
  }

  /** Task reports waiting to be written. */
  get queued(): number {
    return this.tasks.size;
  }

  /** Queues a task's status as reported by `nodeId`, coalescing with a queued report of the task. */
  queueTask(nodeId: string, taskId: string, status: TaskStatus): void {
    if (this.closed) return;
    const queued = this.tasks.get(taskId);
    if (queued !== undefined && queued.nodeId === nodeId && taskStateOrder(queued.status.state) > taskStateOrder(status.state)) return;
    this.tasks.set(taskId, { nodeId, status });
    if (this.tasks.size >= this.options.maxQueued) this.kick();
    else this.schedule();
  }

  /** Queues a node change; a later change of the same field replaces an earlier one. */
  queueNode(nodeId: string, update: NodeUpdate): void {
    if (this.closed) return;
    const queued = this.nodes.get(nodeId);
    this.nodes.set(nodeId, queued === undefined ? update : { ...queued, ...update });
    this.schedule();
  }

  /** Resolves once everything queued now is written (rejects if that write fails). */
  flushed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return p;
  }

  /** Writes what is queued now. */
  flushNow(): Promise<void> {
    const p = this.flushed();
    this.kick();
    return p;
  }

  /** Drops everything queued and fails the waiters with `error` (leadership lost, stopping). */
  clear(error: unknown): void {
    this.tasks = new Map();
    this.nodes = new Map();
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
  }

  /** Like {@link StatusWriter.clear}, and refuses everything afterwards. */
  close(error: unknown): void {
    this.clear(error);
    this.closed = true;
  }

  /** Lets queueing resume after {@link StatusWriter.close} (a dispatcher activated again). */
  reopen(): void {
    this.closed = false;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.flushing) return;
    if (this.tasks.size === 0 && this.nodes.size === 0 && this.waiters.length === 0) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.options.interval);
  }

  private kick(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    void this.flush();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const nodes = this.nodes;
    const tasks = this.tasks;
    const waiters = this.waiters;
    this.nodes = new Map();
    this.tasks = new Map();
    this.waiters = [];
    this.counters.flushes++;
    let failed = false;
    try {
      await this.write(nodes, tasks);
      for (const w of waiters) w.resolve();
    } catch (err) {
      failed = true;
      this.counters.failedFlushes++;
      this.options.logger?.debug?.('dispatcher write failed; retrying', { error: String(err) });
      if (!this.closed) this.requeue(nodes, tasks);
      for (const w of waiters) w.reject(err);
    } finally {
      this.flushing = false;
    }
    if (this.closed) return;
    // After a failure, wait an interval before retrying, so a store that keeps refusing is not hammered.
    const urgent = !failed && (this.again || this.tasks.size >= this.options.maxQueued);
    this.again = false;
    if (urgent && (this.tasks.size > 0 || this.nodes.size > 0 || this.waiters.length > 0)) void this.flush();
    else this.schedule();
  }

  /** Puts back what a failed flush held, unless something newer was queued meanwhile. */
  private requeue(nodes: Map<string, NodeUpdate>, tasks: Map<string, QueuedStatus>): void {
    for (const [id, update] of nodes) {
      const newer = this.nodes.get(id);
      this.nodes.set(id, newer === undefined ? update : { ...update, ...newer });
    }
    for (const [id, queued] of tasks) if (!this.tasks.has(id)) this.tasks.set(id, queued);
  }

  /** Writes nodes, then tasks, in chunks of `batchSize`; on failure, what was committed stays committed. */
  private async write(nodes: Map<string, NodeUpdate>, tasks: Map<string, QueuedStatus>): Promise<void> {
    await this.chunked(
      [...nodes],
      (tx, chunk) => {
        for (const [id, update] of chunk) applyNode(tx, id, update);
        return chunk.length;
      },
      (changed) => changed,
      (chunk) => {
        for (const [id] of chunk) nodes.delete(id);
      },
    );
    await this.chunked(
      [...tasks],
      (tx, chunk) => applyTasks(tx, chunk),
      (outcome) => outcome.written,
      (chunk, outcome) => {
        this.counters.written += outcome.written;
        this.counters.droppedStale += outcome.stale;
        this.counters.droppedWrongNode += outcome.wrongNode;
        this.counters.droppedUnknown += outcome.unknown;
        for (const [id] of chunk) tasks.delete(id);
      },
    );
  }

  /**
   * Commits `entries` in transactions of at most `batchSize` (halving it while the store finds a
   * transaction too large); `committed` runs after each successful one.
   */
  private async chunked<T, R>(
    entries: readonly T[],
    apply: (tx: WriteTx, chunk: readonly T[]) => R,
    changes: (result: R) => number,
    committed: (chunk: readonly T[], result: R) => void,
  ): Promise<void> {
    let start = 0;
    while (start < entries.length) {
      const chunk = entries.slice(start, start + this.batchSize);
      let result: R;
      try {
        result = await this.options.store.update((tx) => apply(tx, chunk));
      } catch (err) {
        if (err instanceof TransactionTooLargeError && this.batchSize > 1) {
          this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
          continue;
        }
        throw err;
      }
      if (changes(result) > 0) this.counters.transactions++;
      committed(chunk, result);
      start += chunk.length;
    }
  }
}

interface Outcome {
  written: number;
  stale: number;
  wrongNode: number;
  unknown: number;
}

function applyNode(tx: WriteTx, id: string, update: NodeUpdate): void {
  const node = tx.nodes.get(id);
  if (node === undefined) return;
  tx.nodes.update(id, (d) => {
    if (update.status !== undefined) {
      const addr = update.status.addr ?? node.status.addr;
      d.status = { ...update.status, ...(addr !== undefined ? { addr } : {}) };
    }
    if (update.description !== undefined) d.description = update.description as typeof d.description;
  });
}

function applyTasks(tx: WriteTx, chunk: readonly (readonly [string, QueuedStatus])[]): Outcome {
  const out: Outcome = { written: 0, stale: 0, wrongNode: 0, unknown: 0 };
  for (const [id, queued] of chunk) {
    const task = tx.tasks.get(id);
    if (task === undefined) out.unknown++;
    else if (task.nodeId !== queued.nodeId) out.wrongNode++;
    else if (!canTransition(task.status.state, queued.status.state)) out.stale++;
    else {
      assignFields(tx.tasks, id, { status: queued.status });
      out.written++;
    }
  }
  return out;
}
