import type { Subscription } from 'rxjs';
import { taskName, taskStateOrder, type Service, type Task } from '../api/index.js';
import { FlotillaError, ValidationError, isFlotillaError, type ValidationIssue } from '../errors/index.js';
import type { LogLine, LogOptions } from '../executor/index.js';
import { parseDuration } from '../runtime/index.js';
import type { Cluster } from './cluster.js';

/**
 * Options of {@link ServicesApi.logs}, as `docker service logs` takes them.
 *
 * @public
 */
export interface ServiceLogsOptions {
  /**
   * Keep streaming: new lines of every task, including tasks that start later (replacements,
   * rolling updates, scaling up), until the caller leaves the loop, the service is removed and
   * its last task's output ends, or the cluster closes. Default false: what exists now.
   */
  readonly follow?: boolean;
  /** Only the last `tail` lines of each task's output (a non-negative integer; default: every line). */
  readonly tail?: number;
  /**
   * Only lines written at or after this time: epoch milliseconds, a `Date`, an RFC 3339
   * timestamp (`'2026-01-01T10:00:00Z'`), or a Docker duration counted back from the cluster
   * clock's now (`'10m'` for the last ten minutes).
   */
  readonly since?: number | Date | string;
  /** Start each line's {@link ServiceLogLine.text} with its RFC 3339 timestamp (`docker service logs --timestamps`). */
  readonly timestamps?: boolean;
}

/**
 * One line of a service's output, from one of its tasks, with where it ran
 * ({@link ServicesApi.logs}).
 *
 * @public
 */
export interface ServiceLogLine extends LogLine {
  /** The service's id. */
  readonly serviceId: string;
  /** The service's name. */
  readonly serviceName: string;
  /** The task's name, as `docker service ps` and its container name show it (`web.1.<task id>`). */
  readonly taskName: string;
  /** The task's slot (0 for a global service's task). */
  readonly slot: number;
  /** The id of the node the task ran on. */
  readonly nodeId: string;
  /** The hostname of the node the task ran on. */
  readonly node: string;
  /**
   * The line as `docker service logs` prints it: `web.1.<12-character task id>@<node>    | <line>`
   * (slot 0 for a global service's task, as Docker prints it), preceded by the RFC 3339
   * timestamp with nanoseconds when `timestamps` is set.
   */
  readonly text: string;
}

/** One task's output stream, as the log stream reads it. */
interface LogSource {
  readonly task: Task;
  readonly hostname: string;
  readonly prefix: string;
  readonly iterator: AsyncIterator<LogLine>;
  /** A `next()` of the iterator is pending (follow). */
  inFlight: boolean;
  /** The source's next line, read ahead (merge). */
  head: LogLine | undefined;
}

/** What one `next()` of a source gave. */
type Step = { readonly source: LogSource; readonly result: IteratorResult<LogLine> } | { readonly source: LogSource; readonly error: unknown };

/**
 * Converts {@link ServiceLogsOptions.since} to epoch milliseconds, or adds an issue.
 *
 * @internal
 */
export function resolveSince(since: ServiceLogsOptions['since'], now: number, issues: ValidationIssue[]): number | undefined {
  if (since === undefined) return undefined;
  if (since instanceof Date) {
    if (Number.isNaN(since.getTime())) issues.push({ path: 'since', message: 'is an invalid Date' });
    return since.getTime();
  }
  if (typeof since === 'number') {
    if (!Number.isFinite(since)) issues.push({ path: 'since', message: 'must be a finite number of epoch milliseconds' });
    return since;
  }
  try {
    return now - parseDuration(since, 'since');
  } catch {
    const at = Date.parse(since);
    if (!Number.isNaN(at)) return at;
    issues.push({ path: 'since', message: `${JSON.stringify(since)} is neither a timestamp nor a duration such as '10m'` });
    return undefined;
  }
}

/** `2026-01-01T10:00:00.123000000Z`: RFC 3339 with nanoseconds, as Docker prints timestamps. @internal */
export function rfc3339Nano(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * The `docker service logs` prefix of a task: `<service>.<slot>.<first 12 characters of the task
 * id>@<node>`, padded so the bars of replicas `1` to `replicas` line up.
 *
 * @internal
 */
export function logPrefix(task: Pick<Task, 'serviceName' | 'slot' | 'id'>, hostname: string, replicas: number | undefined): string {
  const width = replicas === undefined ? 0 : String(replicas).length;
  const padding = ' '.repeat(Math.max(0, width - String(task.slot).length));
  return `${task.serviceName}.${task.slot}.${task.id.slice(0, 12)}@${hostname}${padding}`;
}

/** Whether a task has got as far as having a container (prepared) on its node. */
function hasContainer(task: Task): boolean {
  return task.nodeId !== '' && taskStateOrder(task.status.state) >= taskStateOrder('ready');
}

/**
 * The merged output of a service's tasks, asked of each task's node's executor.
 *
 * - Without `follow`, it reads what exists now and yields it in time order across tasks (each
 *   task's lines are in order already; a k-way merge that holds one line per task).
 * - With `follow`, it yields lines as they come from any task (reading at most one line ahead
 *   per task), opens the tasks that start later (seen through the cluster's watch), and ends
 *   when the caller returns, the cluster closes, or the service is gone and its streams ended.
 *
 * `return()` stops every underlying stream and resolves once they have stopped. Tasks on nodes
 * whose agent is not running (crashed) and executors without `logs` contribute nothing. An
 * executor's error ends the iteration with that error (a `FlotillaError`; others are wrapped)
 * after the other streams are stopped. One reader at a time: `next()` must not be called again
 * before the previous call settled (as `for await` does).
 *
 * @internal
 */
export class ServiceLogStream implements AsyncIterableIterator<ServiceLogLine> {
  private readonly sources = new Map<string, LogSource>();
  private readonly opened = new Set<string>();
  /** Lines (or ends, or errors) that arrived and wait for the reader, at most one per source. */
  private readonly arrived: Step[] = [];
  private readonly follow: boolean;
  private readonly executorOptions: LogOptions;
  private readonly replicas: number | undefined;
  private started = false;
  private finished = false;
  private serviceGone = false;
  private failure: { readonly error: unknown } | undefined;
  private waiter: (() => void) | undefined;
  private subscription: Subscription | undefined;
  private unhookClose: (() => void) | undefined;
  private readonly onLeaderChanged = (): void => this.rescan();

  constructor(
    private readonly cluster: Cluster,
    private readonly service: Service,
    private readonly options: ServiceLogsOptions,
    since: number | undefined,
  ) {
    this.follow = options.follow === true;
    this.executorOptions = {
      follow: this.follow,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(since !== undefined ? { since } : {}),
    };
    const mode = service.spec.mode;
    this.replicas = mode !== undefined && 'replicated' in mode ? (mode.replicated.replicas ?? 1) : undefined;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ServiceLogLine> {
    return this;
  }

  /** The next line; done once every stream ended (or, following, as described above). */
  async next(): Promise<IteratorResult<ServiceLogLine, undefined>> {
    if (!this.started) this.start();
    return this.follow ? this.nextFollowing() : this.nextMerged();
  }

  /** Stops every underlying stream; the iteration is over. */
  async return(): Promise<IteratorResult<ServiceLogLine, undefined>> {
    await this.stop();
    return { value: undefined, done: true };
  }

  private start(): void {
    this.started = true;
    this.unhookClose = this.cluster.onClose(() => this.stop());
    if (this.finished) return; // the cluster closed already
    if (this.follow) {
      this.subscription = this.cluster.watch({ kind: 'task', selector: { serviceId: this.service.id } }).subscribe({
        next: (ev) => {
          if (ev.type === 'create' || ev.type === 'update') this.consider(ev.object);
          else if (ev.type === 'commit') this.checkService();
        },
        error: () => this.rescan(),
      });
      this.cluster.on('leader-changed', this.onLeaderChanged);
    }
    this.rescan();
  }

  /** Opens every task of the service that has a container and is not open yet. */
  private rescan(): void {
    if (this.finished) return;
    let tasks: readonly Task[];
    try {
      tasks = this.cluster.view((tx) => tx.tasks.find({ serviceId: this.service.id }));
    } catch {
      return; // no live manager right now; the next leader change rescans
    }
    const ordered = [...tasks].sort((a, b) => a.slot - b.slot || a.meta.createdAt - b.meta.createdAt);
    for (const t of ordered) this.consider(t);
    this.checkService();
  }

  /** Following: notes when the service is gone, after which the stream ends with its tasks'. */
  private checkService(): void {
    if (!this.follow || this.serviceGone || this.finished) return;
    try {
      this.serviceGone = this.cluster.view((tx) => tx.services.get(this.service.id)) === undefined;
    } catch {
      return;
    }
    if (this.serviceGone) this.wake();
  }

  private consider(task: Task): void {
    if (this.finished || this.opened.has(task.id) || !hasContainer(task)) return;
    this.opened.add(task.id);
    let record: ReturnType<Cluster['record']>;
    try {
      record = this.cluster.record(task.nodeId);
    } catch {
      return; // the node was removed
    }
    const executor = record.process.executor;
    if (!record.process.running || executor.logs === undefined) return;
    let iterator: AsyncIterator<LogLine>;
    try {
      iterator = executor.logs(task, this.executorOptions)[Symbol.asyncIterator]();
    } catch (error) {
      this.fail(error, task, record.hostname);
      return;
    }
    const source: LogSource = { task, hostname: record.hostname, prefix: logPrefix(task, record.hostname, this.replicas), iterator, inFlight: false, head: undefined };
    this.sources.set(task.id, source);
    if (this.follow) this.request(source);
  }

  /** Following: asks a source for its next line; it lands in `arrived` and wakes the reader. */
  private request(source: LogSource): void {
    if (source.inFlight || this.finished) return;
    source.inFlight = true;
    const land = (s: Step): void => {
      source.inFlight = false;
      if (this.finished) return;
      this.arrived.push(s);
      this.wake();
    };
    source.iterator.next().then(
      (result) => land({ source, result }),
      (error: unknown) => land({ source, error }),
    );
  }

  private async nextFollowing(): Promise<IteratorResult<ServiceLogLine, undefined>> {
    for (;;) {
      await this.throwFailure();
      if (this.finished) return { value: undefined, done: true };
      const s = this.arrived.shift();
      if (s !== undefined) {
        if ('error' in s) this.fail(s.error, s.source.task, s.source.hostname);
        else if (s.result.done === true) this.sources.delete(s.source.task.id);
        else {
          this.request(s.source);
          return { value: this.line(s.source, s.result.value), done: false };
        }
        continue;
      }
      if (this.sources.size === 0 && this.serviceGone) {
        await this.stop();
        return { value: undefined, done: true };
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  private async nextMerged(): Promise<IteratorResult<ServiceLogLine, undefined>> {
    // Read the head of every source, then yield the earliest (ties: the task opened first).
    for (const s of [...this.sources.values()]) {
      if (s.head !== undefined) continue;
      try {
        const r = await s.iterator.next();
        if (r.done === true) this.sources.delete(s.task.id);
        else s.head = r.value;
      } catch (error) {
        this.fail(error, s.task, s.hostname);
      }
      await this.throwFailure();
      if (this.finished) return { value: undefined, done: true };
    }
    let first: LogSource | undefined;
    for (const s of this.sources.values()) {
      if (s.head !== undefined && (first === undefined || s.head.timestamp < (first.head as LogLine).timestamp)) first = s;
    }
    if (first === undefined) {
      await this.stop();
      return { value: undefined, done: true };
    }
    const head = first.head as LogLine;
    first.head = undefined;
    return { value: this.line(first, head), done: false };
  }

  private line(source: LogSource, line: LogLine): ServiceLogLine {
    const stamp = this.options.timestamps === true ? `${rfc3339Nano(line.timestamp)} ` : '';
    return {
      ...line,
      serviceId: this.service.id,
      serviceName: this.service.spec.name,
      taskName: taskName(source.task),
      slot: source.task.slot,
      nodeId: source.task.nodeId,
      node: source.hostname,
      text: `${stamp}${source.prefix}    | ${line.line}`,
    };
  }

  private fail(error: unknown, task: Task, hostname: string): void {
    if (this.finished || this.failure !== undefined) return;
    const message = `reading the logs of task ${task.id} on ${hostname} failed: ${error instanceof Error ? error.message : String(error)}`;
    this.failure = { error: isFlotillaError(error) ? error : new FlotillaError('UNREACHABLE', message, { cause: error }) };
    this.wake();
  }

  /** Rethrows a failure, once the other streams are stopped. */
  private async throwFailure(): Promise<void> {
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    await this.stop();
    throw failure.error;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async stop(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.cluster.off('leader-changed', this.onLeaderChanged);
    this.unhookClose?.();
    const closing = [...this.sources.values()].map((s) => s.iterator.return?.());
    this.sources.clear();
    this.arrived.length = 0;
    this.wake();
    await Promise.allSettled(closing);
  }
}

/** Validates the options of {@link ServicesApi.logs}. @internal */
export function validateLogOptions(options: ServiceLogsOptions, now: number): number | undefined {
  const issues: ValidationIssue[] = [];
  if (options.tail !== undefined && !(Number.isInteger(options.tail) && options.tail >= 0)) issues.push({ path: 'tail', message: 'must be an integer >= 0' });
  const since = resolveSince(options.since, now, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return since;
}
