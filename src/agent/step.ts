import type { TaskState, TaskStatus } from '../api/index.js';
import { isTerminal, taskStateOrder } from '../api/index.js';
import type { ExitStatus } from '../executor/index.js';
import { ControllerError } from '../executor/index.js';

/**
 * What a task runner does next for a task (the decision half of SwarmKit's `exec.Do`; the runner
 * carries it out on the controller):
 *
 * - `none`: nothing until the task changes (a terminal state, or a pause before `desired`);
 * - `advance`: move to `state` without touching the controller;
 * - `prepare`, `start`, `wait`, `shutdown`: call that controller method.
 *
 * @public
 */
export type StepAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'advance'; readonly state: TaskState; readonly message: string }
  | { readonly kind: 'prepare' }
  | { readonly kind: 'start' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'shutdown' };

const order = taskStateOrder;
const NONE: StepAction = Object.freeze({ kind: 'none' });

/**
 * The next step of a task in `state` whose desired state is `desired`. Pure.
 *
 * - Terminal states stay put.
 * - A desired state of `shutdown` or later (shutdown, remove, …) shuts the task down.
 * - The "pause" transitions — up to `assigned` → `accepted` → `preparing`, and `ready` →
 *   `starting` — only happen while the state is below the desired state, so a task desired
 *   `ready` is prepared (its image pulled, its container created) but not started.
 * - `preparing`, `starting` and `running` always proceed: prepare, start, wait for the exit.
 *
 * @public
 */
export function nextStep(state: TaskState, desired: TaskState): StepAction {
  if (isTerminal(state)) return NONE;
  if (order(desired) >= order('shutdown')) return { kind: 'shutdown' };
  switch (state) {
    case 'new':
    case 'pending':
    case 'assigned':
      return order(state) < order(desired) ? { kind: 'advance', state: 'accepted', message: 'accepted' } : NONE;
    case 'accepted':
      return order(state) < order(desired) ? { kind: 'advance', state: 'preparing', message: 'preparing' } : NONE;
    case 'preparing':
      return { kind: 'prepare' };
    case 'ready':
      return order(state) < order(desired) ? { kind: 'advance', state: 'starting', message: 'starting' } : NONE;
    case 'starting':
      return { kind: 'start' };
    case 'running':
      return { kind: 'wait' };
    default:
      return NONE;
  }
}

/** The state a successful controller step leads to, and its message. @public */
export function stepSucceeded(action: 'prepare' | 'start' | 'shutdown'): { readonly state: TaskState; readonly message: string } {
  switch (action) {
    case 'prepare':
      return { state: 'ready', message: 'prepared' };
    case 'start':
      return { state: 'running', message: 'started' };
    case 'shutdown':
      return { state: 'shutdown', message: 'shutdown' };
  }
}

/**
 * How a task ended, from its exit status: code 0 is `complete` ("finished"); anything else is
 * `failed` with the exit code and `task: non-zero exit (N)` (Docker's wording), the executor's
 * reason (e.g. "OOM killed") going to `err`.
 *
 * @public
 */
export function exitStatus(exit: ExitStatus, timestamp: number): TaskStatus {
  if (exit.exitCode === 0) return { state: 'complete', timestamp, message: 'finished', exitCode: 0 };
  const message = `task: non-zero exit (${exit.exitCode})`;
  return { state: 'failed', timestamp, message, err: exit.message ?? message, exitCode: exit.exitCode };
}

/** What to do about a failed controller step. @public */
export type FailureOutcome = { readonly kind: 'retry' } | { readonly kind: 'end'; readonly status: TaskStatus };

/**
 * Classifies a failed controller step of a task in `state`: a temporary `ControllerError` is
 * retried (unless `retriesLeft` is 0); anything else ends the task — `rejected` before
 * `starting`, `failed` at or after it — with the error's message.
 *
 * @public
 */
export function stepFailed(state: TaskState, error: unknown, timestamp: number, retriesLeft: number): FailureOutcome {
  if (error instanceof ControllerError && error.temporary && retriesLeft > 0) return { kind: 'retry' };
  const message = error instanceof Error ? error.message : String(error);
  const ended: TaskState = order(state) < order('starting') ? 'rejected' : 'failed';
  return { kind: 'end', status: { state: ended, timestamp, message, err: message } };
}
