/* Global services: one task per node that fits. */
export { GlobalOrchestrator } from './global-orchestrator.js';
export type { GlobalOrchestratorOptions } from './global-orchestrator.js';
