/*
 * The dispatcher: agents' sessions, node liveness, task assignments to agents and batched writes
 * of the task states they report. The protocol types are shared with the agent.
 */
export { Dispatcher, HEARTBEAT_GRACE_MULTIPLIER, UNKNOWN_GRACE_MULTIPLIER } from './dispatcher.js';
export type { DispatcherOptions, DispatcherStats } from './dispatcher.js';
export { SessionInvalidError } from './errors.js';
export {
  DISPATCHER_METHODS,
  ASSIGNMENTS_TOPIC,
  MAX_STATUS_UPDATES_PER_MESSAGE,
  MAX_CHANGES_PER_INCREMENT,
} from './protocol.js';
export type {
  OpenSessionRequest,
  OpenSessionResponse,
  SessionRequest,
  HeartbeatResponse,
  AssignmentSet,
  AssignmentChange,
  AssignmentIncrement,
  TaskStatusUpdate,
  StatusRequest,
  StatusResponse,
} from './protocol.js';
