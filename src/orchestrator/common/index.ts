/* Helpers every orchestrator shares: building tasks and deciding which ones need replacing. */
export { newTask, isInvalidNode } from './new-task.js';
export type { NewTaskOptions } from './new-task.js';
export { isTaskDirty, stableJson, withoutPlacementConstraints } from './dirty.js';
