import type { Task } from '../api/index.js';
import { isTerminal, taskStateOrder } from '../api/index.js';
import type { ObjectEvent } from '../store/index.js';
import type { AssignmentChange } from './protocol.js';

const ASSIGNED = taskStateOrder('assigned');

/**
 * Whether a task belongs to its node's assignment set: it has a node and has reached `assigned`
 * (a global task waiting in `pending` with its node preset is not assigned yet). Terminal tasks
 * stay in the set until they are deleted, so their runtime objects live as long as the task
 * history does.
 *
 * @internal
 */
export function inAssignmentSet(task: Task | undefined): task is Task {
  return task !== undefined && task.nodeId !== '' && taskStateOrder(task.status.state) >= ASSIGNED;
}

/**
 * Whether an update of a task already in its node's set matters to the agent. Status changes
 * coming from the agent itself are not echoed back; what the agent must hear is a new desired
 * state, a new spec, or a terminal status set by a manager (orphaned, rejected by the constraint
 * enforcer).
 */
function mattersToAgent(old: Task, task: Task): boolean {
  return (
    old.desiredState !== task.desiredState ||
    old.specVersion !== task.specVersion ||
    isTerminal(old.status.state) !== isTerminal(task.status.state)
  );
}

/** An assignment change addressed to one node. @internal */
export interface AddressedChange {
  readonly nodeId: string;
  readonly change: AssignmentChange;
}

/**
 * The assignment changes one task event causes: at most a removal from the node the task left
 * and an update for the node it is on.
 *
 * @internal
 */
export function changesFor(event: ObjectEvent<'task'>): AddressedChange[] {
  const task = event.object;
  if (event.type === 'create') return inAssignmentSet(task) ? [{ nodeId: task.nodeId, change: { op: 'update', task } }] : [];
  if (event.type === 'delete') return inAssignmentSet(task) ? [{ nodeId: task.nodeId, change: { op: 'remove', taskId: task.id } }] : [];
  const old = event.old;
  const was = inAssignmentSet(old);
  const is = inAssignmentSet(task);
  const moved = old.nodeId !== task.nodeId;
  const out: AddressedChange[] = [];
  if (was && (!is || moved)) out.push({ nodeId: old.nodeId, change: { op: 'remove', taskId: task.id } });
  if (is && (!was || moved || mattersToAgent(old, task))) out.push({ nodeId: task.nodeId, change: { op: 'update', task } });
  return out;
}
