/*
 * The scheduler: pending tasks to nodes (PENDING → ASSIGNED). A pure core (NodeInfo, NodeSet,
 * filters, strategies, planPlacements) and a store-driven Scheduler around it.
 */
export { Scheduler, DEFAULT_BATCH_DELAY_MS, DEFAULT_MAX_BATCH_DELAY_MS, DEFAULT_TRANSACTION_SIZE, DEFAULT_SCHEDULER_WATCH_BUFFER } from './scheduler.js';
export type { SchedulerOptions, SchedulePassResult } from './scheduler.js';
export { planPlacements, placeTasks, ASSIGNED_MESSAGE, CONFIRMED_MESSAGE } from './planner.js';
export type { Placement, Unplaced, PlacementPlan, PlanOptions } from './planner.js';
export { NodeInfo, FAILURE_WINDOW_MS, MAX_RECENT_FAILURES, taskFootprint } from './node-info.js';
export type { CpuMemory, TaskFootprint, ServiceIndex } from './node-info.js';
export { NodeSet } from './node-set.js';
export { Pipeline, explainFailures, noSuitableNode, countNodes } from './filter.js';
export type { Filter } from './filter.js';
export {
  ReadyFilter,
  AvailabilityFilter,
  CpuFilter,
  MemoryFilter,
  GenericResourceFilter,
  ConstraintFilter,
  PlatformFilter,
  MaxReplicasFilter,
  HostPortFilter,
  defaultFilters,
} from './filters.js';
export { spreadStrategy, binpackStrategy, resolveStrategy, failurePenalty } from './strategy.js';
export type { SchedulingStrategy, StrategyName, StrategyGroup, NodeComparator } from './strategy.js';
export { spreadValue } from './placement-tree.js';
export {
  taskReservation,
  taskPorts,
  taskHostPorts,
  hostPortKey,
  holdsResources,
  isActiveTask,
  taskRole,
  nodeCapacity,
} from './task-resources.js';
export type { GenericClaim, TaskReservation, TaskRole } from './task-resources.js';
