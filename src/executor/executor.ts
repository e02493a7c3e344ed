import type { NodeDescription, Task } from '../api/index.js';
import type { Controller } from './controller.js';

/**
 * One line of a task's output, as {@link Executor.logs} streams it.
 *
 * @public
 */
export interface LogLine {
  /** The task the line came from. */
  readonly taskId: string;
  /** `stdout` or `stderr`. */
  readonly stream: 'stdout' | 'stderr';
  /** When the line was written, in epoch milliseconds. */
  readonly timestamp: number;
  /** The line, without its trailing newline. */
  readonly line: string;
}

/** Options of {@link Executor.logs}, as `docker service logs` takes them. @public */
export interface LogOptions {
  /** Keep streaming new lines until the returned iterator is closed. */
  readonly follow?: boolean;
  /** Only the last `tail` lines of what exists now. */
  readonly tail?: number;
  /** Only lines written at or after this time (epoch milliseconds). */
  readonly since?: number;
}

/** A runtime object an executor found on its node, for adoption. @public */
export interface ExistingTask {
  /** The id of the task the object belongs to (from its labels). */
  readonly taskId: string;
  /** The executor's id for it (a container id). */
  readonly containerId?: string;
}

/**
 * Runs tasks on one node: the seam between Flotilla's agent and a container engine
 * (SwarmKit's `exec.Executor`). Implementations: `SimulatedExecutor` (virtual time, scriptable)
 * and `DockerExecutor` (a real engine through dockerode).
 *
 * @public
 */
export interface Executor {
  /** Reads the node's description: hostname, platform, resources, engine version and labels. */
  describe(): Promise<NodeDescription>;
  /**
   * Returns the controller for `task`. Creating a controller does no work; calling it again for
   * the same task id returns a controller for the same runtime object (so an agent that lost its
   * controllers can pick its tasks up again).
   */
  controller(task: Task): Controller;
  /**
   * Lists the runtime objects this executor has created on its node that still exist, so a
   * restarted agent can adopt them, and remove those of tasks the cluster no longer knows.
   */
  listTasks(): Promise<readonly ExistingTask[]>;
  /** Streams a task's output. Optional: executors without logs leave it out. */
  logs?(task: Task, options: LogOptions): AsyncIterable<LogLine>;
}
