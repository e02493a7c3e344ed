/* Replicated and global jobs: tasks run to completion, iterations on update. */
export { JobsOrchestrator } from './jobs-orchestrator.js';
export type { JobsOrchestratorOptions } from './jobs-orchestrator.js';
export { nextJobStatus } from './job-iteration.js';
export type { JobStatus } from './job-iteration.js';
