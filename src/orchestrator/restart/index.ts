/* Restarting tasks under their restart policy, and starting replacements when their time comes. */
export { RestartSupervisor, DEFAULT_OLD_TASK_TIMEOUT_MS } from './restart-supervisor.js';
export type { RestartSupervisorOptions, RestartOutcome } from './restart-supervisor.js';
export {
  resolveRestartPolicy,
  shouldRestart,
  countRestarts,
  failureStreak,
  restartDelay,
  backoffSteps,
  DEFAULT_BACKOFF_FACTOR,
  DEFAULT_BACKOFF_MAX_DELAY_MS,
  BACKOFF_RESET_AFTER_MS,
} from './policy.js';
export type { ResolvedRestartPolicy } from './policy.js';
