/**
 * Simulation helpers for tests: virtual time, seeded chance and (as they land) the simulated
 * network and cluster.
 *
 * @packageDocumentation
 */
export { VirtualClock, flushMicrotasks, Random } from './runtime/index.js';
export type { VirtualClockOptions, AdvanceUntilOptions, Seed } from './runtime/index.js';
export { InMemoryNetwork } from './transport/index.js';
export type { InMemoryNetworkOptions, FaultOptions, LatencyOptions, TrafficStats, DropCounts, DropReason, NetworkEvent } from './transport/index.js';
export {
  RaftSimulation,
  resolveSimulationOptions,
  DEFAULT_FAULT_WEIGHTS,
  drawFaultPlan,
  InvariantChecker,
  InvariantViolationError,
  EventTrace,
  RecordingStateMachine,
  CheckedStorage,
  SimulatedMember,
  measureFailover,
  runSeeds,
} from './testing/raft-simulator/index.js';
export type {
  SimulationResult,
  RaftSimulationOptions,
  ResolvedSimulationOptions,
  DriverSettings,
  StorageKind,
  FaultWeights,
  SimulationWorkarounds,
  FaultKind,
  PlannedFault,
  FaultTarget,
  AppliedState,
  InvariantName,
  StateMachineObserver,
  AppendObserver,
  MemberHost,
  MemberState,
  ClientStats,
  FailoverOptions,
  FailoverMeasurement,
  SeedSweepOptions,
  SeedSweepReport,
} from './testing/raft-simulator/index.js';
export { ClusterInvariants, ClusterInvariantError } from './testing/cluster/index.js';
export type { ClusterInvariantName } from './testing/cluster/index.js';
