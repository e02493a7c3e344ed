/**
 * A task's lifecycle states, in order. A task only ever moves forward through them; SwarmKit
 * spaces them 64 apart so that a state doubles as a logical clock, and so do we
 * (see {@link taskStateOrder}).
 *
 * @public
 */
export type TaskState =
  | 'new'
  | 'pending'
  | 'assigned'
  | 'accepted'
  | 'preparing'
  | 'ready'
  | 'starting'
  | 'running'
  | 'complete'
  | 'shutdown'
  | 'failed'
  | 'rejected'
  | 'remove'
  | 'orphaned';

/** Every {@link TaskState} in lifecycle order. @public */
export const TASK_STATES: readonly TaskState[] = Object.freeze([
  'new',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
  'running',
  'complete',
  'shutdown',
  'failed',
  'rejected',
  'remove',
  'orphaned',
]);

const ORDER: Readonly<Record<TaskState, number>> = Object.freeze({
  new: 0,
  pending: 64,
  assigned: 192,
  accepted: 256,
  preparing: 320,
  ready: 384,
  starting: 448,
  running: 512,
  complete: 576,
  shutdown: 640,
  failed: 704,
  rejected: 768,
  remove: 800,
  orphaned: 832,
});

/** The numeric rank of a state (SwarmKit's numbering: new 0, pending 64, … orphaned 832). @public */
export function taskStateOrder(state: TaskState): number {
  return ORDER[state];
}

/** Compares two states by lifecycle order: negative when `a` comes first. @public */
export function compareTaskStates(a: TaskState, b: TaskState): number {
  return ORDER[a] - ORDER[b];
}

/** True for states after `running` (complete, shutdown, failed, rejected, remove, orphaned). @public */
export function isTerminal(state: TaskState): boolean {
  return ORDER[state] > ORDER.running;
}

/** True when a task may move from `from` to `to`: only strictly forward. @public */
export function canTransition(from: TaskState, to: TaskState): boolean {
  return ORDER[to] > ORDER[from];
}

/** True when `value` names a {@link TaskState}. @public */
export function isTaskState(value: unknown): value is TaskState {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ORDER, value);
}
