/* Rolling updates and rollbacks: the update supervisor and the control API's spec-change helpers. */
export { UpdateSupervisor } from './supervisor.js';
export type { UpdateSupervisorOptions } from './supervisor.js';
export { OLD_TASK_STOP_TIMEOUT_MS } from './updater.js';
export { resolveUpdateConfig, finalMonitorPeriod } from './config.js';
export type { ResolvedUpdateConfig } from './config.js';
export { applyServiceUpdate, applyManualRollback, writeServiceChange } from './service-change.js';
export type { ServiceChange } from './service-change.js';
export {
  UPDATE_IN_PROGRESS_MESSAGE,
  UPDATE_COMPLETED_MESSAGE,
  ROLLBACK_COMPLETED_MESSAGE,
  MANUAL_ROLLBACK_MESSAGE,
  updatePausedMessage,
  rollbackPausedMessage,
  updateRolledBackMessage,
} from './messages.js';
