import type { PortConfig, Task, TaskState, TaskStatus } from '../api/index.js';
import { DEFAULT_STOP_GRACE_PERIOD_MS, isTerminal, taskStateOrder } from '../api/index.js';
import { hasExitCallback, type Controller, type ControllerStatus, type Executor, type ExitStatus } from '../executor/index.js';
import { parseDuration, type Clock, type Logger, type TimerHandle } from '../runtime/index.js';
import { exitStatus, nextStep, stepFailed, stepSucceeded } from './step.js';

/** What a {@link TaskRunner} needs from its agent. @internal */
export interface TaskRunnerDeps {
  readonly executor: Executor;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Called with every state the task reaches. */
  readonly report: (taskId: string, status: TaskStatus) => void;
  /** Wait before retrying a step that failed temporarily. */
  readonly retryDelayMs: number;
  /** Temporary failures of one step retried before the task ends. */
  readonly maxRetries: number;
}

/** A controller call a runner waits for. */
interface PendingCall {
  /** Where the outcome goes; `undefined` for the wait for a running task's exit ({@link TaskRunner.exited}). */
  readonly resolve: ((outcome: Outcome<unknown>) => void) | undefined;
  /** Whether the call is given up as soon as the task must stop. */
  readonly interruptible: boolean;
}

type Outcome<T> = { readonly kind: 'ok'; readonly value: T } | { readonly kind: 'error'; readonly error: unknown } | { readonly kind: 'interrupted' };

const order = taskStateOrder;

/** The grace period a task's container gets to stop: its `stopGracePeriod`, default 10 s. @internal */
export function gracePeriodOf(task: Task): number {
  const value = task.spec.container?.stopGracePeriod;
  if (value === undefined) return DEFAULT_STOP_GRACE_PERIOD_MS;
  try {
    return parseDuration(value);
  } catch {
    return DEFAULT_STOP_GRACE_PERIOD_MS;
  }
}

/**
 * Drives one task's controller through its life, one {@link nextStep} at a time, and reports
 * every state the task reaches. It keeps its own view of the task's status (the agent's, which
 * runs ahead of the store's) and takes new versions of the task (a new desired state) at any
 * time: a task that must stop interrupts a pending prepare, start or wait and is shut down.
 *
 * A new runner for a task that already progressed (after an agent restart, or a reconnect) first
 * inspects the runtime object and adopts what it finds: a running container is reported running
 * and waited for, an exited one reports its exit, a created one counts as prepared, and a task
 * that had started but whose container is gone fails.
 *
 * @internal
 */
export class TaskRunner {
  private task: Task;
  private current: TaskStatus;
  private readonly controller: Controller;
  /** Resolves the promise a runner waiting for any change holds (made only when one waits). */
  private wake: (() => void) | undefined;
  /** The controller call in progress, if any. */
  private pending: PendingCall | undefined;
  private sleeping: { readonly handle: TimerHandle; readonly resolve: () => void } | undefined;
  private closed = false;
  private retries = 0;

  constructor(
    task: Task,
    private readonly deps: TaskRunnerDeps,
  ) {
    this.task = task;
    this.current = task.status;
    this.controller = deps.executor.controller(task);
  }

  get taskId(): string {
    return this.task.id;
  }

  /** The task's status as this agent knows it. */
  get status(): TaskStatus {
    return this.current;
  }

  /** Starts driving the task. */
  start(): void {
    this.drive(true);
  }

  /** Takes a newer version of the task (older or equal versions are ignored). */
  update(task: Task): void {
    if (task.meta.version <= this.task.meta.version) return;
    this.task = task;
    try {
      this.controller.update(task);
    } catch (err) {
      this.deps.logger?.debug?.('controller update failed', { taskId: task.id, error: String(err) });
    }
    this.notify();
  }

  /** Stops driving the task and releases its controller; the task itself keeps running. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    this.controller.close();
  }

  /** Shuts the task down (unless it already ended), removes its runtime object and closes. */
  async remove(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    if (!isTerminal(this.current.state) && order(this.current.state) > order('assigned')) {
      await this.controller.shutdown({ gracePeriodMs: gracePeriodOf(this.task) }).catch((err: unknown) => {
        this.deps.logger?.debug?.('shutdown before removal failed', { taskId: this.task.id, error: String(err) });
      });
    }
    await this.controller.remove().catch((err: unknown) => {
      this.deps.logger?.warn?.('removing a task failed', { taskId: this.task.id, error: String(err) });
    });
    this.controller.close();
  }

  /** The state the task should head for: its desired state, or shutdown when a manager ended it. */
  private desired(): TaskState {
    if (isTerminal(this.task.status.state) && !isTerminal(this.current.state)) return 'shutdown';
    return this.task.desiredState;
  }

  private mustStop(): boolean {
    return order(this.desired()) >= order('shutdown');
  }

  /** Runs {@link TaskRunner.run}, reporting an unexpected end. */
  private drive(fresh: boolean): void {
    void this.run(fresh).catch((err: unknown) => {
      this.deps.logger?.warn?.('task runner stopped unexpectedly', { taskId: this.task.id, error: String(err) });
    });
  }

  /**
   * Steps the task until it must wait. Waiting for a running task's exit does not keep this
   * function suspended: the wait is a callback ({@link TaskRunner.exited}) that runs it again, so
   * a running task holds no async frame.
   */
  private async run(fresh: boolean): Promise<void> {
    if (fresh && !isTerminal(this.current.state) && order(this.current.state) > order('assigned')) await this.adopt();
    while (!this.closed) {
      const action = nextStep(this.current.state, this.desired());
      switch (action.kind) {
        case 'none':
          await this.changed();
          break;
        case 'advance':
          this.set({ state: action.state, message: action.message });
          break;
        case 'wait': {
          const pending: PendingCall = { resolve: undefined, interruptible: true };
          this.pending = pending;
          const controller = this.controller;
          if (hasExitCallback(controller)) {
            controller.onExit((error, value) => this.settle(pending, error === undefined ? { kind: 'ok', value } : { kind: 'error', error }));
          } else {
            controller.wait().then(
              (value) => this.settle(pending, { kind: 'ok', value }),
              (error: unknown) => this.settle(pending, { kind: 'error', error }),
            );
          }
          this.recheck();
          return;
        }
        case 'shutdown': {
          const outcome = await this.perform(this.controller.shutdown({ gracePeriodMs: gracePeriodOf(this.task) }), false);
          if (outcome.kind === 'ok') this.set(stepSucceeded('shutdown'));
          else await this.handle(outcome);
          break;
        }
        default: {
          const kind = action.kind;
          const outcome = await this.perform(kind === 'prepare' ? this.controller.prepare() : this.controller.start(), true);
          if (outcome.kind !== 'ok') {
            await this.handle(outcome);
            break;
          }
          this.retries = 0;
          const next = stepSucceeded(kind);
          this.set(kind === 'start' ? { ...next, ...(await this.runtimeFacts()) } : next);
          break;
        }
      }
    }
  }

  /**
   * Awaits a controller call; when `interruptible`, gives up on it as soon as the task must stop
   * (its eventual result is then ignored).
   */
  private perform<T>(call: Promise<T>, interruptible: boolean): Promise<Outcome<T>> {
    return new Promise<Outcome<T>>((resolve) => {
      const pending: PendingCall = { resolve: resolve as (outcome: Outcome<unknown>) => void, interruptible };
      this.pending = pending;
      call.then(
        (value) => this.settle(pending, { kind: 'ok', value }),
        (error: unknown) => this.settle(pending, { kind: 'error', error }),
      );
      this.recheck();
    });
  }

  /** Ends the controller call in progress with `outcome` (once; an interrupted call's result is ignored). */
  private settle(pending: PendingCall, outcome: Outcome<unknown>): void {
    if (this.pending !== pending) return;
    this.pending = undefined;
    const settled = this.closed ? INTERRUPTED : outcome;
    if (pending.resolve !== undefined) pending.resolve(settled);
    else this.exited(settled as Outcome<ExitStatus>);
  }

  /** The wait for a running task's exit ended: reports how, then steps on. */
  private exited(outcome: Outcome<ExitStatus>): void {
    if (outcome.kind === 'ok') {
      this.finish(exitStatus(outcome.value, this.deps.clock.now()));
      this.drive(false);
      return;
    }
    void this.handle(outcome).then(
      () => this.drive(false),
      (err: unknown) => this.deps.logger?.warn?.('task runner stopped unexpectedly', { taskId: this.task.id, error: String(err) }),
    );
  }

  /** Gives up the controller call in progress when the runner closed or, if it may be interrupted, the task must stop. */
  private recheck(): void {
    const pending = this.pending;
    if (pending !== undefined && (this.closed || (pending.interruptible && this.mustStop()))) this.settle(pending, INTERRUPTED);
  }

  private async handle(outcome: Outcome<unknown>): Promise<void> {
    if (outcome.kind !== 'error') return;
    const verdict = stepFailed(this.current.state, outcome.error, this.deps.clock.now(), this.deps.maxRetries - this.retries);
    if (verdict.kind === 'retry') {
      this.retries++;
      this.deps.logger?.debug?.('temporary task error; retrying', { taskId: this.task.id, error: String(outcome.error) });
      await this.sleep(this.deps.retryDelayMs);
      return;
    }
    this.finish(verdict.status);
  }

  private finish(status: TaskStatus): void {
    this.retries = 0;
    this.current = status;
    this.deps.report(this.task.id, status);
  }

  private set(next: { readonly state: TaskState; readonly message: string } & Partial<TaskStatus>): void {
    this.finish(stamped(next, this.deps.clock.now()));
  }

  /** Looks at the runtime object and takes up the task where it is. */
  private async adopt(): Promise<void> {
    let found: ControllerStatus;
    try {
      found = await this.controller.inspect();
    } catch (err) {
      this.deps.logger?.debug?.('inspect failed; driving the task from its reported state', { taskId: this.task.id, error: String(err) });
      return;
    }
    if (this.closed) return;
    const state = this.current.state;
    const facts = factsOf(found);
    switch (found.state) {
      case 'running':
        if (order(state) < order('running')) this.set({ state: 'running', message: 'started', ...facts });
        break;
      case 'exited':
        if (found.exit !== undefined) this.finish({ ...exitStatus(found.exit, this.deps.clock.now()), ...facts });
        else if (order(state) < order('running')) this.set({ state: 'running', message: 'started', ...facts });
        break;
      case 'created':
        if (order(state) < order('ready')) this.set({ state: 'ready', message: 'prepared', ...facts });
        break;
      case 'absent':
        if (order(state) >= order('starting')) {
          const message = 'task: container no longer exists';
          this.set({ state: 'failed', message, err: message });
        }
        break;
    }
  }

  private async runtimeFacts(): Promise<Partial<TaskStatus>> {
    try {
      return factsOf(await this.controller.inspect());
    } catch {
      return {};
    }
  }

  /** Resolves at the next {@link TaskRunner.notify}. */
  private changed(): Promise<void> {
    return new Promise<void>((resolve) => {
      const previous = this.wake;
      this.wake = previous === undefined ? resolve : () => (previous(), resolve());
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    this.recheck();
    if (this.closed && this.sleeping !== undefined) {
      this.deps.clock.clearTimeout(this.sleeping.handle);
      this.sleeping.resolve();
      this.sleeping = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.deps.clock.setTimeout(() => {
        this.sleeping = undefined;
        resolve();
      }, ms);
      this.sleeping = { handle, resolve };
    });
  }
}

const INTERRUPTED = Object.freeze({ kind: 'interrupted' }) as Outcome<never>;

type MutableStatus = { -readonly [K in keyof TaskStatus]: TaskStatus[K] };

/**
 * `next` with `timestamp`, built field by field: a spread (`{ ...next, timestamp }`) at a site
 * that sees many shapes of `next` gave every status a hidden class of its own (~300 bytes per
 * task in maps and descriptors, kept as long as the status is).
 */
function stamped(next: { readonly state: TaskState; readonly message: string } & Partial<TaskStatus>, timestamp: number): TaskStatus {
  const status: MutableStatus = { state: next.state, timestamp, message: next.message };
  if (next.err !== undefined) status.err = next.err;
  if (next.exitCode !== undefined) status.exitCode = next.exitCode;
  if (next.containerId !== undefined) status.containerId = next.containerId;
  if (next.portStatus !== undefined) status.portStatus = next.portStatus;
  return status;
}

/** The container id and host ports an inspection found, as status fields. */
function factsOf(found: ControllerStatus): Partial<TaskStatus> {
  const ports: PortConfig[] | undefined = found.ports?.map((p) => ({ protocol: p.protocol, targetPort: p.targetPort, publishedPort: p.publishedPort, publishMode: 'host' }));
  return {
    ...(found.containerId !== undefined ? { containerId: found.containerId } : {}),
    ...(ports !== undefined && ports.length > 0 ? { portStatus: ports } : {}),
  };
}
