/*
 * The executor seam: what the agent needs from a container engine. `Executor` describes the node
 * and hands out one `Controller` per task; implementations live in sub-folders (simulated/,
 * docker/).
 */
export type { Controller, ControllerState, ControllerStatus, ExitStatus, ShutdownOptions, ExitCallback } from './controller.js';
export { hasExitCallback } from './controller.js';
export type { Executor, ExistingTask, LogLine, LogOptions } from './executor.js';
export { ControllerError } from './errors.js';
export type { ControllerErrorCode, ControllerErrorOptions } from './errors.js';
