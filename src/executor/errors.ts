import { FlotillaError } from '../errors/index.js';

/** Why a controller step failed, as a stable code. @public */
export type ControllerErrorCode =
  | 'TASK_PREPARE_FAILED'
  | 'TASK_START_FAILED'
  | 'TASK_UNHEALTHY'
  | 'TASK_EXECUTION_FAILED';

/** Options of {@link ControllerError}. @public */
export interface ControllerErrorOptions {
  /** True when retrying the same step may succeed (an engine hiccup), false when it cannot. */
  readonly temporary?: boolean;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * A {@link Controller} step failed. The message ends up in the task's status, so it should say
 * what the engine said (e.g. `No such image: busybox:nope`).
 *
 * @public
 */
export class ControllerError extends FlotillaError {
  /** True when the agent should retry the same step instead of ending the task. */
  readonly temporary: boolean;

  constructor(code: ControllerErrorCode, message: string, options: ControllerErrorOptions = {}) {
    super(code, message, { cause: options.cause });
    this.temporary = options.temporary ?? false;
  }
}
