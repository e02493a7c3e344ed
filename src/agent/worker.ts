import type { Task } from '../api/index.js';
import { DEFAULT_STOP_GRACE_PERIOD_MS, taskStateOrder } from '../api/index.js';
import type { ExistingTask } from '../executor/index.js';
import type { AssignmentChange } from '../dispatcher/protocol.js';
import type { StatusReporter } from './reporter.js';
import { TaskRunner, type TaskRunnerDeps } from './task-runner.js';

/** What the {@link Worker} needs besides the runner dependencies. @internal */
export interface WorkerDeps extends Omit<TaskRunnerDeps, 'report'> {
  readonly nodeId: string;
  readonly reporter: StatusReporter;
  /** The executor's runtime objects found at agent start (for adoption and clean-up). */
  readonly existing: Promise<readonly ExistingTask[]>;
}

/**
 * The agent's tasks: one {@link TaskRunner} per task of the node's assignment set (SwarmKit's
 * worker). A full set replaces the set — tasks missing from it are shut down and removed, and on
 * the first full set after the agent started, runtime objects of tasks the cluster no longer
 * assigns here are removed too — and increments change it. Runners outlive sessions: a task keeps
 * running while the agent reconnects.
 *
 * @internal
 */
export class Worker {
  private readonly runners = new Map<string, TaskRunner>();
  private cleanedUp = false;
  private closed = false;
  /** What every runner gets (shared, not one copy per task). */
  private readonly runnerDeps: TaskRunnerDeps;

  constructor(private readonly deps: WorkerDeps) {
    this.runnerDeps = { ...deps, report: (taskId, status) => deps.reporter.report(taskId, status) };
  }

  /** Tasks the worker drives. */
  get size(): number {
    return this.runners.size;
  }

  /** The runner of a task, for inspection. */
  runner(taskId: string): TaskRunner | undefined {
    return this.runners.get(taskId);
  }

  /** Every runner. */
  all(): TaskRunner[] {
    return [...this.runners.values()];
  }

  /**
   * Makes the set exactly `tasks`. Statuses the agent knows to be further along than the
   * manager's copy are reported again (a report may have been lost with a previous leader).
   */
  applyFull(tasks: readonly Task[]): void {
    if (this.closed) return;
    const ids = new Set<string>();
    for (const task of tasks) {
      ids.add(task.id);
      const runner = this.runners.get(task.id);
      if (runner === undefined) {
        this.add(task);
        continue;
      }
      runner.update(task);
      if (taskStateOrder(runner.status.state) > taskStateOrder(task.status.state)) this.deps.reporter.report(task.id, runner.status);
    }
    for (const id of [...this.runners.keys()]) if (!ids.has(id)) this.remove(id);
    if (!this.cleanedUp) {
      this.cleanedUp = true;
      void this.removeUnknown(ids);
    }
  }

  /**
   * Applies an increment. An update of a task the worker does not know is ignored when its
   * version is not newer than `baseIndex` (the store index of the last full set, which already
   * reflected it: the task was removed since).
   */
  applyChanges(changes: readonly AssignmentChange[], baseIndex: number): void {
    if (this.closed) return;
    for (const change of changes) {
      if (change.op === 'remove') {
        this.remove(change.taskId);
        continue;
      }
      const runner = this.runners.get(change.task.id);
      if (runner !== undefined) runner.update(change.task);
      else if (change.task.meta.version > baseIndex) this.add(change.task);
    }
  }

  /** Stops driving every task without stopping the tasks (the agent stops). */
  close(): void {
    this.closed = true;
    for (const runner of this.runners.values()) runner.close();
    this.runners.clear();
  }

  private add(task: Task): void {
    const runner = new TaskRunner(task, this.runnerDeps);
    this.runners.set(task.id, runner);
    runner.start();
  }

  private remove(taskId: string): void {
    const runner = this.runners.get(taskId);
    if (runner === undefined) return;
    this.runners.delete(taskId);
    this.deps.reporter.forget(taskId);
    void runner.remove();
  }

  /** Removes the runtime objects of tasks that are neither assigned here nor driven by a runner. */
  private async removeUnknown(assigned: ReadonlySet<string>): Promise<void> {
    let existing: readonly ExistingTask[];
    try {
      existing = await this.deps.existing;
    } catch (err) {
      this.deps.logger?.warn?.('listing the executor’s tasks failed; leaving unknown runtime objects alone', { error: String(err) });
      return;
    }
    for (const { taskId } of existing) {
      if (this.closed) return;
      if (assigned.has(taskId) || this.runners.has(taskId)) continue;
      const controller = this.deps.executor.controller(placeholderTask(taskId, this.deps.nodeId, this.deps.clock.now()));
      this.deps.logger?.info?.('removing the runtime object of a task not assigned here', { taskId });
      try {
        await controller.shutdown({ gracePeriodMs: DEFAULT_STOP_GRACE_PERIOD_MS }).catch(() => undefined);
        await controller.remove();
      } catch (err) {
        this.deps.logger?.warn?.('removing an unknown task failed', { taskId, error: String(err) });
      } finally {
        controller.close();
      }
    }
  }
}

/**
 * A stand-in task for a runtime object whose task the cluster no longer knows: the executor seam
 * only hands out controllers for tasks, and all the agent knows of such an object is its task id.
 */
function placeholderTask(taskId: string, nodeId: string, now: number): Task {
  return {
    id: taskId,
    meta: { version: 0, createdAt: now, updatedAt: now },
    serviceId: '',
    slot: 0,
    nodeId,
    spec: { container: { image: '' } },
    specVersion: 0,
    serviceName: '',
    status: { state: 'shutdown', timestamp: now, message: 'not assigned to this node' },
    desiredState: 'remove',
  };
}
