import { DEFAULT_JOB_RESTART_POLICY, DEFAULT_RESTART_POLICY } from '../../api/index.js';
import type { RestartCondition, Task, TaskSpec } from '../../api/index.js';
import { parseDuration, type Duration } from '../../runtime/index.js';
import { byNewest, exitedByItself, hasEnded, isFailure } from '../support/tasks.js';

/** Backoff factor when `restartPolicy.backoff` is given without one. @public */
export const DEFAULT_BACKOFF_FACTOR = 2;

/** Longest backoff delay when `restartPolicy.backoff` is given without `maxDelay`: 5 minutes. @public */
export const DEFAULT_BACKOFF_MAX_DELAY_MS = 300_000;

/**
 * How long a task must have run for its failure to start a new backoff series (10 minutes, as
 * Kubernetes resets its crash-loop backoff).
 *
 * @public
 */
export const BACKOFF_RESET_AFTER_MS = 600_000;

/** Most backoff steps the task reaper keeps history for. */
const MAX_BACKOFF_STEPS = 64;

/**
 * A restart policy with every field resolved, durations in milliseconds.
 *
 * @public
 */
export interface ResolvedRestartPolicy {
  /** `any` is already turned into `on-failure` for jobs. */
  readonly condition: RestartCondition;
  readonly delay: number;
  /** 0: unlimited. */
  readonly maxAttempts: number;
  /** 0: every attempt counts, however old. */
  readonly window: number;
  /** Exponential backoff, when the policy asks for it. */
  readonly backoff?: { readonly factor: number; readonly maxDelay: number };
}

function duration(value: Duration | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  try {
    return parseDuration(value);
  } catch {
    return fallback;
  }
}

/**
 * The restart policy a task runs under: its spec's policy with Docker's defaults filled in (`any`,
 * 5 s, unlimited attempts, no window; `on-failure` for jobs, which also treat `any` as
 * `on-failure`, since a completed job task must not run again).
 *
 * @public
 */
export function resolveRestartPolicy(spec: TaskSpec, job: boolean): ResolvedRestartPolicy {
  const p = spec.restartPolicy;
  const defaults = job ? DEFAULT_JOB_RESTART_POLICY : DEFAULT_RESTART_POLICY;
  let condition = p?.condition ?? defaults.condition;
  if (job && condition === 'any') condition = 'on-failure';
  const delay = duration(p?.delay, defaults.delay);
  const maxAttempts = Math.max(0, Math.floor(p?.maxAttempts ?? defaults.maxAttempts));
  const window = duration(p?.window, defaults.window);
  if (p?.backoff === undefined) return { condition, delay, maxAttempts, window };
  const factor = Math.max(1, p.backoff.factor ?? DEFAULT_BACKOFF_FACTOR);
  const maxDelay = Math.max(delay, duration(p.backoff.maxDelay, DEFAULT_BACKOFF_MAX_DELAY_MS));
  return { condition, delay, maxAttempts, window, backoff: { factor, maxDelay } };
}

/** Same service spec version and job iteration: restart history only counts within one. */
function sameGeneration(a: Task, b: Task): boolean {
  return a.specVersion === b.specVersion && (a.jobIteration ?? 0) === (b.jobIteration ?? 0);
}

/**
 * How many times the slot of `task` was already restarted after an exit, counting the other
 * tasks of the slot from the same spec version (and job iteration) that exited by themselves
 * (complete, failed or rejected) within the policy's window before `now`. Each such exit was
 * followed by a replacement, which is what a restart is; a task moved off a drained or failed
 * node did not exit and does not count.
 *
 * Because this reads the slot's tasks, the history survives a leader change; the task reaper
 * keeps at least `maxAttempts + 1` tasks per slot so that nothing it needs is deleted.
 *
 * @public
 */
export function countRestarts(task: Task, slot: readonly Task[], policy: ResolvedRestartPolicy, now: number): number {
  const since = policy.window > 0 ? now - policy.window : -Infinity;
  let n = 0;
  for (const t of slot) {
    if (t.id === task.id || !sameGeneration(t, task) || !exitedByItself(t)) continue;
    if (t.meta.createdAt > task.meta.createdAt) continue;
    if (t.status.timestamp >= since && t.status.timestamp <= now) n++;
  }
  return n;
}

/**
 * Whether a task that ended by itself gets a replacement under its policy: never for `none`,
 * not after a clean exit for `on-failure`, and not once `maxAttempts` restarts (within `window`)
 * were made for this slot and spec version.
 *
 * @public
 */
export function shouldRestart(task: Task, slot: readonly Task[], policy: ResolvedRestartPolicy, now: number): boolean {
  if (policy.condition === 'none') return false;
  if (policy.condition === 'on-failure' && task.status.state === 'complete') return false;
  if (policy.maxAttempts === 0) return true;
  return countRestarts(task, slot, policy, now) < policy.maxAttempts;
}

function ranLong(task: Task, policy: ResolvedRestartPolicy): boolean {
  // The task's life includes the delay it waited for before starting, which is at most maxDelay.
  const reset = (policy.backoff?.maxDelay ?? policy.delay) + BACKOFF_RESET_AFTER_MS;
  return task.status.timestamp - task.meta.createdAt >= reset;
}

/**
 * The number of consecutive failures of the slot ending with `task` (1 for a first failure; 0
 * when `task` did not fail). The series runs back through the slot's earlier tasks of the same
 * spec version that failed (failed or rejected); it stops at a task that ended any other way,
 * and a failure after at least {@link BACKOFF_RESET_AFTER_MS} of running starts a new series.
 *
 * @public
 */
export function failureStreak(task: Task, slot: readonly Task[], policy: ResolvedRestartPolicy): number {
  if (!isFailure(task)) return 0;
  if (ranLong(task, policy)) return 1;
  const earlier = slot.filter((t) => t.id !== task.id && sameGeneration(t, task) && hasEnded(t) && t.meta.createdAt <= task.meta.createdAt);
  earlier.sort(byNewest);
  let n = 1;
  for (const t of earlier) {
    if (!isFailure(t)) break;
    n++;
    if (ranLong(t, policy)) break;
  }
  return n;
}

/**
 * How long the replacement of `task` waits before it starts: the policy's delay, or with backoff
 * `delay × factor^(n − 1)` for the n-th consecutive failure, capped at `maxDelay`. The first
 * restart therefore waits exactly `delay`, as Docker does; clean exits and tasks that were moved
 * always wait `delay`.
 *
 * @public
 */
export function restartDelay(task: Task, slot: readonly Task[], policy: ResolvedRestartPolicy): number {
  const backoff = policy.backoff;
  if (backoff === undefined || policy.delay === 0) return policy.delay;
  const n = failureStreak(task, slot, policy);
  if (n <= 1) return policy.delay;
  return Math.min(backoff.maxDelay, policy.delay * Math.pow(backoff.factor, n - 1));
}

/**
 * How many doublings (factor steps) it takes the backoff delay to reach its cap: the task reaper
 * keeps this many tasks (plus one) per slot, so the series survives a leader change.
 *
 * @public
 */
export function backoffSteps(policy: ResolvedRestartPolicy): number {
  const b = policy.backoff;
  if (b === undefined || b.factor <= 1 || policy.delay <= 0 || b.maxDelay <= policy.delay) return 0;
  return Math.min(MAX_BACKOFF_STEPS, Math.ceil(Math.log(b.maxDelay / policy.delay) / Math.log(b.factor)));
}
