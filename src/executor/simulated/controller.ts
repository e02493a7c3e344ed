import type { Task } from '../../api/index.js';
import { ClosedError, InvalidStateError } from '../../errors/index.js';
import type { Controller, ControllerStatus, ExitCallback, ExitStatus, ShutdownOptions } from '../controller.js';
import type { SimulatedEngine } from './engine.js';

/**
 * A {@link Controller} over one task's simulated container. It holds no state of its own besides
 * the task: every controller for the same task id acts on the same container in the engine.
 * After `close`, its methods reject with `ClosedError` and a pending `wait` rejects too; the
 * container is unaffected.
 *
 * @internal
 */
export class SimulatedController implements Controller, ExitCallback {
  private current: Task;
  private closed = false;
  /** Pending `wait`s, rejected when the controller closes. */
  private waiters: ((e: ClosedError) => void)[] | undefined;

  constructor(
    private readonly engine: SimulatedEngine,
    task: Task,
  ) {
    this.current = task;
  }

  get task(): Task {
    return this.current;
  }

  prepare(): Promise<void> {
    return this.guard(() => this.engine.prepare(this.current));
  }

  start(): Promise<void> {
    return this.guard(() => this.engine.start(this.current));
  }

  wait(): Promise<ExitStatus> {
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise<ExitStatus>((resolve, reject) => {
      const waiters = (this.waiters ??= []);
      waiters.push(reject);
      this.engine.onExit(this.current, (err, exit) => {
        const i = waiters.indexOf(reject);
        if (i < 0) return; // abandoned when the controller closed
        waiters.splice(i, 1);
        if (err === undefined) resolve(exit as ExitStatus);
        else reject(err);
      });
    });
  }

  /** `wait` without a promise (see `ExitCallback`): `done` is called once, also after a close. */
  onExit(done: (error: Error | undefined, exit?: ExitStatus) => void): void {
    if (this.closed) done(this.closedError());
    else this.engine.onExit(this.current, done);
  }

  shutdown(options: ShutdownOptions): Promise<void> {
    return this.guard(() => this.engine.shutdown(this.current, options.gracePeriodMs));
  }

  terminate(): Promise<void> {
    return this.guard(() => this.engine.terminate(this.current));
  }

  remove(): Promise<void> {
    return this.guard(() => this.engine.remove(this.current));
  }

  inspect(): Promise<ControllerStatus> {
    return this.guard(async () => this.engine.inspect(this.current));
  }

  update(task: Task): void {
    if (task.id !== this.current.id) throw new InvalidStateError(`controller for task ${this.current.id} cannot take task ${task.id}`);
    this.current = task;
    this.engine.updateTask(task);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = undefined;
    // The error (and its stack trace) only when a wait is pending: closing the controllers of
    // a million running tasks, which wait through `onExit`, should not build a million errors.
    if (waiters === undefined || waiters.length === 0) return;
    const error = this.closedError();
    for (const abandon of waiters.splice(0)) abandon(error);
  }

  private closedError(): ClosedError {
    return new ClosedError(`the controller for task ${this.current.id}`);
  }

  private guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    try {
      return fn();
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
