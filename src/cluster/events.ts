import type { Node, Service, Task, UpdateStatus } from '../api/index.js';

/**
 * The typed events a {@link Cluster} emits (eventemitter3), derived from the leader's committed
 * changes. Around a leader change an event may be missed or repeated; `watch()` and the
 * `inspect`/`list` methods are the source of truth.
 *
 * @public
 */
export interface ClusterEvents {
  /** A service reached its desired state: every replica (or node) runs the current spec. */
  'service-converged': (service: Service) => void;
  /** A task's observed state changed. */
  'task-state': (task: Task, previous: Task | undefined) => void;
  /** A node stopped answering heartbeats. */
  'node-down': (node: Node) => void;
  /** A node is ready (joined, or came back). */
  'node-ready': (node: Node) => void;
  /** A new leader was elected (its address), or the cluster has none (`undefined`). */
  'leader-changed': (leader: string | undefined) => void;
  /** A service's rolling update or rollback changed state. */
  'update-status': (service: Service, status: UpdateStatus) => void;
}
