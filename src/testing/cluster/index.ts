/* Checks for simulated clusters. */
export { ClusterInvariants, ClusterInvariantError } from './cluster-invariants.js';
export type { ClusterInvariantName } from './cluster-invariants.js';
