/*
 * SimulatedExecutor: one simulated node's container engine on an injected clock, scriptable and
 * deterministic from a seed, with fault injection. Everything else in this folder is internal.
 */
export { SimulatedExecutor } from './executor.js';
export type {
  SimulatedExecutorOptions,
  SimulatedNodeResources,
  SimulatedContainerInfo,
  SimulatedKillOptions,
  SimulatedCrashOptions,
} from './executor.js';
export type { SimulatedBehaviour, SimulatedBehaviours, SimulatedBehaviourTarget, SimulatedLatency } from './behaviour.js';
export type { SimulatedContainerState, SimulatedEndReason } from './container.js';
export type { SimulatedHealth } from './health.js';
