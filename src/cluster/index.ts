/*
 * The Cluster facade: what users hold. It builds managers (raft when several), workers, the
 * control-plane loops and agents on one clock and one in-process network.
 */
export { Cluster, SimulatedCluster } from './cluster.js';
export type { ClusterEvents } from './events.js';
export type { ClusterInfo } from './info.js';
export type { ClusterOptions, SimulateOptions, NodeOptions, ExecutorContext } from './options.js';
export { ServicesApi } from './services.js';
export type { ServiceFilter, ServiceReplicas } from './services.js';
export type { ServiceLogsOptions, ServiceLogLine } from './service-logs.js';
export { TasksApi } from './tasks.js';
export type { TaskFilter } from './tasks.js';
export { NodesApi } from './nodes.js';
export type { NodeFilter, NodeRemoveOptions } from './nodes.js';
export type { SchedulingStrategyOption } from './wiring.js';
