/*
 * The orchestrators: leader-only loops that turn services into tasks and keep them so (replicated
 * services, global services, jobs, restarts, task history), plus the seams to the update
 * supervisor and the constraint enforcer. The composite `Orchestrator` runs them all.
 */
export { Orchestrator } from './orchestrator.js';
export type { OrchestratorOptions } from './orchestrator.js';
export { NOOP_UPDATER } from './updater.js';
export type { Updater, LeaderLoop } from './updater.js';
export { DEFAULT_ORCHESTRATOR_BATCH_SIZE, DEFAULT_ORCHESTRATOR_WATCH_BUFFER } from './support/store-loop.js';
export {
  RestartSupervisor,
  DEFAULT_OLD_TASK_TIMEOUT_MS,
  resolveRestartPolicy,
  shouldRestart,
  countRestarts,
  failureStreak,
  restartDelay,
  backoffSteps,
  DEFAULT_BACKOFF_FACTOR,
  DEFAULT_BACKOFF_MAX_DELAY_MS,
  BACKOFF_RESET_AFTER_MS,
} from './restart/index.js';
export type { RestartSupervisorOptions, RestartOutcome, ResolvedRestartPolicy } from './restart/index.js';
export { ReplicatedOrchestrator, chooseSlotsToRemove, spreadValue } from './replicated/index.js';
export type { ReplicatedOrchestratorOptions, ScaleDownCandidate } from './replicated/index.js';
export { GlobalOrchestrator } from './global/index.js';
export type { GlobalOrchestratorOptions } from './global/index.js';
export { JobsOrchestrator, nextJobStatus } from './jobs/index.js';
export type { JobsOrchestratorOptions, JobStatus } from './jobs/index.js';
export type { ServiceLoopOptions } from './support/service-loop.js';
export { TaskReaper, REAPER_INTERVAL_MS, REAPER_MAX_DIRTY } from './reaper/index.js';
export type { TaskReaperOptions } from './reaper/index.js';
export { newTask, isInvalidNode, isTaskDirty } from './common/index.js';
export type { NewTaskOptions } from './common/index.js';
