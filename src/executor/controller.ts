import type { Task } from '../api/index.js';

/**
 * How a task's process ended, as {@link Controller.wait} reports it.
 *
 * @public
 */
export interface ExitStatus {
  /** The process's exit code: 0 means the task completed, anything else that it failed. */
  readonly exitCode: number;
  /** A human-readable reason, shown in the task's status message (e.g. `"OOM killed"`). */
  readonly message?: string;
  /** True when the kernel killed the process for exceeding its memory limit. */
  readonly oomKilled?: boolean;
}

/**
 * What an executor finds when it looks at a task's runtime object (a container), without
 * changing it. The agent uses it to adopt tasks after a restart instead of starting duplicates.
 *
 * - `absent`: nothing exists yet (or it was removed).
 * - `created`: prepared (e.g. the container exists) but never started.
 * - `running`: started and still running.
 * - `exited`: started and ended; `exit` says how.
 *
 * @public
 */
export type ControllerState = 'absent' | 'created' | 'running' | 'exited';

/** The result of {@link Controller.inspect}. @public */
export interface ControllerStatus {
  readonly state: ControllerState;
  /** How the task ended, when `state` is `exited`. */
  readonly exit?: ExitStatus;
  /** The executor's id for the runtime object (a container id), when there is one. */
  readonly containerId?: string;
  /** Host-mode ports actually bound, when the executor publishes ports. */
  readonly ports?: readonly { readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly targetPort: number; readonly publishedPort: number }[];
}

/** Options of {@link Controller.shutdown}. @public */
export interface ShutdownOptions {
  /**
   * How long the task gets to stop after its stop signal before it is killed, in milliseconds
   * (the task's `stopGracePeriod`, default 10 s).
   */
  readonly gracePeriodMs: number;
}

/**
 * Drives one task's runtime object (a container) through its life. The agent calls the methods
 * in order — `prepare`, `start`, `wait` — and `shutdown`, `terminate`, `remove` when the task
 * must stop or be cleaned up; the task state machine itself lives in the agent, not here
 * (SwarmKit's `exec.Controller`).
 *
 * Every method is idempotent, so an agent that restarted can drive a controller for a task that
 * already progressed: `prepare` on a prepared task resolves, `start` on a running task resolves,
 * `shutdown` on a stopped task resolves, `remove` on a removed task resolves.
 *
 * Failures reject with a {@link ControllerError}; its `temporary` flag says whether the agent
 * should retry the same step. A non-temporary failure before the task started makes it
 * `rejected`; after it started, `failed`.
 *
 * @public
 */
export interface Controller {
  /** The task this controller runs (the latest version given to `update`). */
  readonly task: Task;
  /**
   * Makes the task ready to start: pulls the image, creates the container, attaches networks
   * and materialises secret and config files. Resolves when done.
   */
  prepare(): Promise<void>;
  /**
   * Starts the task. Resolves once it runs and, when it has a healthcheck, once it is healthy
   * (a task only counts as running when healthy). Rejects if it exits or turns unhealthy first.
   */
  start(): Promise<void>;
  /**
   * Resolves with the task's {@link ExitStatus} once it exits (exit code 0: complete; otherwise
   * failed). Rejects with a {@link ControllerError} when the task is ended for another reason,
   * such as a failing healthcheck (`code` `TASK_UNHEALTHY`). Calling it before `start` waits
   * for the start.
   */
  wait(): Promise<ExitStatus>;
  /**
   * Stops the task: sends its stop signal, waits up to the grace period, then kills it. Resolves
   * once it no longer runs; a pending `wait` then resolves with the exit.
   */
  shutdown(options: ShutdownOptions): Promise<void>;
  /** Kills the task at once, without a grace period. */
  terminate(): Promise<void>;
  /** Removes the runtime object and what it owns (the container, anonymous volumes). */
  remove(): Promise<void>;
  /** Reports what exists for this task now, without changing anything. */
  inspect(): Promise<ControllerStatus>;
  /** Gives the controller a newer version of its task (e.g. a changed desired state). */
  update(task: Task): void;
  /** Releases the controller's resources (watchers, timers); the task itself is unaffected. */
  close(): void;
}

/**
 * A controller that can also tell of its task's end through a callback: what `wait` settles
 * with, without a promise, so a running task that is only waited for costs one callback. `done`
 * may still be called after the controller closed; the caller ignores such late calls.
 *
 * @internal
 */
export interface ExitCallback {
  onExit(done: (error: Error | undefined, exit?: ExitStatus) => void): void;
}

/** Whether `controller` offers {@link ExitCallback}. @internal */
export function hasExitCallback(controller: Controller): controller is Controller & ExitCallback {
  return typeof (controller as Partial<ExitCallback>).onExit === 'function';
}
