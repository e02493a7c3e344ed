/**
 * A deterministic raft simulator in the style of TigerBeetle's VOPR and FoundationDB's
 * simulation: one seed drives a whole cluster (clock, network faults, crashes, membership
 * changes, client load) and invariant checkers watch every event.
 *
 * @packageDocumentation
 */
export { RaftSimulation } from './simulation.js';
export type { SimulationResult } from './simulation.js';
export { resolveSimulationOptions, DEFAULT_FAULT_WEIGHTS } from './options.js';
export type { RaftSimulationOptions, ResolvedSimulationOptions, DriverSettings, StorageKind, FaultWeights, SimulationWorkarounds } from './options.js';
export { drawFaultPlan } from './fault-plan.js';
export type { FaultKind, PlannedFault } from './fault-plan.js';
export type { FaultTarget } from './fault-injector.js';
export { InvariantChecker } from './invariant-checker.js';
export type { AppliedState } from './invariant-checker.js';
export { InvariantViolationError } from './invariant-error.js';
export type { InvariantName } from './invariant-error.js';
export { EventTrace } from './trace.js';
export { RecordingStateMachine } from './state-machine.js';
export type { StateMachineObserver } from './state-machine.js';
export { CheckedStorage } from './checked-storage.js';
export type { AppendObserver } from './checked-storage.js';
export { SimulatedMember } from './member.js';
export type { MemberHost, MemberState } from './member.js';
export type { ClientStats } from './client.js';
export { measureFailover } from './failover.js';
export type { FailoverOptions, FailoverMeasurement } from './failover.js';
export { runSeeds } from './seed-sweep.js';
export type { SeedSweepOptions, SeedSweepReport } from './seed-sweep.js';
