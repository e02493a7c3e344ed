/*
 * The update status messages, worded as Docker's (SwarmKit's) so that tools matching on them keep
 * working.
 */

/** `updateStatus.message` while an update runs. @public */
export const UPDATE_IN_PROGRESS_MESSAGE = 'update in progress';

/** `updateStatus.message` once an update finished. @public */
export const UPDATE_COMPLETED_MESSAGE = 'update completed';

/** `updateStatus.message` once a rollback finished. @public */
export const ROLLBACK_COMPLETED_MESSAGE = 'rollback completed';

/** `updateStatus.message` of a rollback the user asked for (`docker service rollback`). @public */
export const MANUAL_ROLLBACK_MESSAGE = 'manually requested rollback';

/** `updateStatus.message` when failures paused an update. @public */
export function updatePausedMessage(taskId: string): string {
  return `update paused due to failure or early termination of task ${taskId}`;
}

/** `updateStatus.message` when failures paused a rollback. @public */
export function rollbackPausedMessage(taskId: string): string {
  return `rollback paused due to failure or early termination of task ${taskId}`;
}

/** `updateStatus.message` when failures started an automatic rollback. @public */
export function updateRolledBackMessage(taskId: string): string {
  return `update rolled back due to failure or early termination of task ${taskId}`;
}
