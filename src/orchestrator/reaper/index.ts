/* Task history garbage collection. */
export { TaskReaper, REAPER_INTERVAL_MS, REAPER_MAX_DIRTY } from './task-reaper.js';
export type { TaskReaperOptions } from './task-reaper.js';
