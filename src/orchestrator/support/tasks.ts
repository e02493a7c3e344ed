import { serviceModeKind, taskStateOrder } from '../../api/index.js';
import type { Node, Service, ServiceModeKind, Task, TaskState } from '../../api/index.js';
import type { ReadTx } from '../../store/index.js';

const RUNNING = taskStateOrder('running');
const ASSIGNED = taskStateOrder('assigned');
const COMPLETE = taskStateOrder('complete');

/** True when `a` comes after `b` in lifecycle order. @internal */
export function after(a: TaskState, b: TaskState): boolean {
  return taskStateOrder(a) > taskStateOrder(b);
}

/** The task's observed state is past running: it ended (or never will run). @internal */
export function hasEnded(task: Task): boolean {
  return taskStateOrder(task.status.state) > RUNNING;
}

/** A task the cluster still wants: desired state running or before (SwarmKit's "runnable"). @internal */
export function isRunnable(task: Task): boolean {
  return taskStateOrder(task.desiredState) <= RUNNING;
}

/**
 * A task still wanted: runnable, or a job task asked to complete that has not completed yet.
 * Job tasks are created with desired state `complete`, which lies past `running`.
 *
 * @internal
 */
export function isAlive(task: Task): boolean {
  const desired = taskStateOrder(task.desiredState);
  if (desired <= RUNNING) return true;
  return desired === COMPLETE && task.status.state !== 'complete';
}

/** The task exited by itself: complete, failed or rejected (not stopped by the cluster). @internal */
export function exitedByItself(task: Task): boolean {
  const s = task.status.state;
  return s === 'complete' || s === 'failed' || s === 'rejected';
}

/** The task failed (failed or rejected). @internal */
export function isFailure(task: Task): boolean {
  return task.status.state === 'failed' || task.status.state === 'rejected';
}

/**
 * The task no longer holds anything on a node: it reached `complete` or a later state, never got
 * as far as `assigned`, or its node no longer exists.
 *
 * @internal
 */
export function hasStopped(task: Task, nodeExists: boolean): boolean {
  const s = taskStateOrder(task.status.state);
  if (s >= COMPLETE || s < ASSIGNED) return true;
  return task.nodeId !== '' && !nodeExists;
}

/** The kind of `service`, or undefined for a missing service. @internal */
export function kindOf(service: Service | undefined): ServiceModeKind | undefined {
  return service === undefined ? undefined : serviceModeKind(service.spec);
}

/** True for global services and global jobs, whose slots are nodes. @internal */
export function isPerNode(kind: ServiceModeKind): boolean {
  return kind === 'global' || kind === 'globalJob';
}

/** The tasks sharing `task`'s slot: the same slot number, or the same node for global modes. @internal */
export function slotTasks(tx: ReadTx, task: Pick<Task, 'serviceId' | 'slot' | 'nodeId'>, kind: ServiceModeKind): readonly Task[] {
  if (isPerNode(kind)) {
    return tx.tasks.find({ serviceId: task.serviceId, nodeId: task.nodeId }).filter((t) => t.slot === task.slot);
  }
  return tx.tasks.find({ serviceId: task.serviceId, slot: task.slot });
}

/** The current job iteration of a job service (0 before the first update). @internal */
export function jobIteration(service: Service): number {
  return service.jobStatus?.jobIteration ?? 0;
}

/** A node that may receive new tasks: ready or not yet known, active, accepted. @internal */
export function acceptsNewTasks(node: Node): boolean {
  return (
    (node.status.state === 'ready' || node.status.state === 'unknown') && node.spec.availability === 'active' && node.spec.membership === 'accepted'
  );
}

/** Newest first by creation time, ties broken by id so the order is total. @internal */
export function byNewest(a: Task, b: Task): number {
  return b.meta.createdAt - a.meta.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
