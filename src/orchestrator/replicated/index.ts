/* Replicated services: replica counts, scale-down choices, restarts of failed tasks. */
export { ReplicatedOrchestrator } from './replicated-orchestrator.js';
export type { ReplicatedOrchestratorOptions } from './replicated-orchestrator.js';
export { chooseSlotsToRemove, spreadValue } from './scale-down.js';
export type { ScaleDownCandidate } from './scale-down.js';
