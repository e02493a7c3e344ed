/**
 * Simulation helpers for tests: virtual time, seeded chance and (as they land) the simulated
 * network and cluster.
 *
 * @packageDocumentation
 */
export { VirtualClock, flushMicrotasks, Random } from './runtime/index.js';
export type { VirtualClockOptions, AdvanceUntilOptions, Seed } from './runtime/index.js';
export { InMemoryNetwork } from './transport/index.js';
export type { InMemoryNetworkOptions, FaultOptions, LatencyOptions, TrafficStats, NetworkEvent } from './transport/index.js';
