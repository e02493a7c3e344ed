import { taskStateOrder, type Task, type TaskState } from '../api/index.js';
import { NotFoundError } from '../errors/index.js';
import type { Duration } from '../runtime/index.js';
import type { Cluster } from './cluster.js';
import { findNode, findService } from './lookup.js';

/** Filters of {@link TasksApi.list}, as `docker service ps --filter` takes them. @public */
export interface TaskFilter {
  /** Only tasks of this service (id or name). */
  readonly service?: string;
  /** Only tasks on this node (id or hostname). */
  readonly node?: string;
  /** Only tasks in this observed state. */
  readonly state?: TaskState;
  /** Only tasks with this desired state (`running` shows what `docker service ps` shows by default). */
  readonly desiredState?: TaskState;
}

/**
 * Tasks on a {@link Cluster}: `docker service ps` and `docker inspect` of tasks.
 *
 * @public
 */
export class TasksApi {
  /** @internal */
  constructor(private readonly cluster: Cluster) {}

  /** Tasks matching `filter`, by service name, slot (or node) and newest first, as `docker service ps` sorts them. */
  list(filter: TaskFilter = {}): readonly Task[] {
    return this.cluster.view((tx) => {
      const serviceId = filter.service === undefined ? undefined : findService(tx, filter.service).id;
      const nodeId = filter.node === undefined ? undefined : findNode(tx, filter.node).id;
      const selector = {
        ...(serviceId !== undefined ? { serviceId } : {}),
        ...(nodeId !== undefined ? { nodeId } : {}),
        ...(filter.state !== undefined ? { state: filter.state } : {}),
        ...(filter.desiredState !== undefined ? { desiredState: filter.desiredState } : {}),
      };
      const tasks = Object.keys(selector).length === 0 ? tx.tasks.all() : tx.tasks.find(selector);
      return [...tasks].sort(
        (a, b) =>
          (a.serviceName < b.serviceName ? -1 : a.serviceName > b.serviceName ? 1 : 0) ||
          a.slot - b.slot ||
          (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0) ||
          b.meta.createdAt - a.meta.createdAt,
      );
    });
  }

  /** The task with this id (`NotFoundError` otherwise). */
  inspect(id: string): Task {
    const task = this.cluster.view((tx) => tx.tasks.get(id));
    if (task === undefined) throw new NotFoundError('task', id);
    return task;
  }

  /**
   * Resolves with the task once it reached `state` (or a later one), advancing virtual time in a
   * simulated cluster. Rejects with `TimeoutError`, or `NotFoundError` if the task is deleted.
   */
  async waitForState(id: string, state: TaskState, options: { readonly timeout?: Duration } = {}): Promise<Task> {
    await this.cluster.waiter.until(
      () => {
        const t = this.cluster.view((tx) => tx.tasks.get(id));
        if (t === undefined) throw new NotFoundError('task', id);
        return taskStateOrder(t.status.state) >= taskStateOrder(state);
      },
      `task ${id} to reach ${state}`,
      options.timeout,
    );
    return this.inspect(id);
  }
}
