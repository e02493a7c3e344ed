/**
 * Message passing between nodes: the {@link Transport} contract and the simulated
 * {@link InMemoryNetwork} with fault injection.
 *
 * @packageDocumentation
 */
export type { Transport, TransportEndpoint, MessageHandler } from './transport.js';
export { InMemoryNetwork } from './in-memory-network.js';
export type { InMemoryNetworkOptions } from './in-memory-network.js';
export type { AddressGroup } from './partitions.js';
export { DEFAULT_FAULTS } from './faults.js';
export type { FaultOptions, LatencyOptions, EffectiveFaults } from './faults.js';
export type { TrafficStats, DropCounts, DropReason } from './stats.js';
export type { NetworkEvent, NetworkEventBase, NetworkTraceListener } from './trace.js';
