import type { TaskState } from './task-state.js';
import type {
  ClusterSpec,
  ConfigSpec,
  EndpointSpec,
  Labels,
  NetworkSpec,
  NodeSpec,
  Platform,
  PortConfig,
  Resources,
  SecretSpec,
  ServiceSpec,
  TaskSpec,
} from './specs.js';

/**
 * Bookkeeping the store keeps on every object.
 *
 * @public
 */
export interface Meta {
  /** The store index of the object's last change (the raft index once raft replicates the store). */
  readonly version: number;
  /** When the object was created, in epoch milliseconds from the injected clock. */
  readonly createdAt: number;
  /** When the object last changed. */
  readonly updatedAt: number;
}

/** What every stored object has. @public */
export interface StoredObject {
  /** 25-character base-36 id. */
  readonly id: string;
  readonly meta: Meta;
}

/** What a node reports about itself. @public */
export interface NodeDescription {
  readonly hostname: string;
  readonly platform: { readonly os: string; readonly architecture: string };
  /** Total capacity of the node. */
  readonly resources: Resources;
  readonly engine: { readonly version: string; readonly labels?: Labels };
}

/** Whether a node is reachable by the managers. @public */
export type NodeStatusState = 'unknown' | 'down' | 'ready' | 'disconnected';

/** A node's liveness as the dispatcher sees it. @public */
export interface NodeStatus {
  readonly state: NodeStatusState;
  readonly message?: string;
  /** The node's address as seen by the managers. */
  readonly addr?: string;
}

/** Whether the raft leader can reach a manager. @public */
export type Reachability = 'unknown' | 'unreachable' | 'reachable';

/** Raft membership facts of a manager node. @public */
export interface ManagerStatus {
  readonly raftId: string;
  readonly addr: string;
  readonly leader: boolean;
  readonly reachability: Reachability;
}

/** A node of the cluster. @public */
export interface Node extends StoredObject {
  readonly spec: NodeSpec;
  /** The role the node currently has (the spec holds the desired one). */
  readonly role: NodeRole;
  readonly description?: NodeDescription;
  readonly status: NodeStatus;
  readonly managerStatus?: ManagerStatus;
}

type NodeRole = NodeSpec['role'];

/** Progress of a rolling update or rollback. @public */
export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

/** The status of a service's latest update. @public */
export interface UpdateStatus {
  readonly state: UpdateState;
  readonly startedAt?: number;
  readonly completedAt?: number;
  readonly message?: string;
}

/** A virtual IP of a service on a network. @public */
export interface VirtualIp {
  readonly networkId: string;
  readonly addr: string;
}

/** The allocated endpoint of a service or task. @public */
export interface Endpoint {
  readonly spec?: EndpointSpec;
  readonly ports?: readonly PortConfig[];
  readonly virtualIps?: readonly VirtualIp[];
}

/** A service: a declared spec the orchestrators reconcile into tasks. @public */
export interface Service extends StoredObject {
  readonly spec: ServiceSpec;
  /** Increments on every spec change; tasks record the version they were made from. */
  readonly specVersion: number;
  /** The spec before the last update, for rollback. */
  readonly previousSpec?: ServiceSpec;
  readonly previousSpecVersion?: number;
  readonly endpoint?: Endpoint;
  readonly updateStatus?: UpdateStatus;
  /** For jobs: the current iteration and when it started. */
  readonly jobStatus?: { readonly jobIteration: number; readonly lastExecution?: number };
  /** Set while the service is being deleted. */
  readonly pendingDelete?: boolean;
}

/** What an executor last reported about a task. @public */
export interface TaskStatus {
  readonly state: TaskState;
  /** When the state was reached. */
  readonly timestamp: number;
  readonly message: string;
  /** The error that ended or blocks the task, if any. */
  readonly err?: string;
  readonly exitCode?: number;
  readonly containerId?: string;
  /** Host-mode ports the executor actually bound. */
  readonly portStatus?: readonly PortConfig[];
}

/** A task's attachment to a network, with its addresses. @public */
export interface NetworkAttachment {
  readonly networkId: string;
  readonly addresses: readonly string[];
  readonly aliases?: readonly string[];
}

/** One unit of work: a container the cluster wants running on one node. @public */
export interface Task extends StoredObject {
  readonly serviceId: string;
  /** Slot number for replicated services (from 1); 0 for global ones. */
  readonly slot: number;
  /** The node the task is assigned to; empty until scheduled (preset for global tasks). */
  readonly nodeId: string;
  /** A frozen copy of the service's task spec. */
  readonly spec: TaskSpec;
  readonly specVersion: number;
  /** The service's annotations, for naming (`<service>.<slot>.<id>`). */
  readonly serviceName: string;
  readonly status: TaskStatus;
  readonly desiredState: TaskState;
  readonly networks?: readonly NetworkAttachment[];
  readonly endpoint?: Endpoint;
  /** For jobs: the iteration this task belongs to. */
  readonly jobIteration?: number;
  /** Generic resources the scheduler assigned. */
  readonly assignedGenericResources?: readonly { readonly kind: string; readonly value: string | number }[];
  /** Platform constraints copied for fast filtering. */
  readonly platforms?: readonly Platform[];
}

/** A network. @public */
export interface Network extends StoredObject {
  readonly spec: NetworkSpec;
  /** Subnets allocated to the network. */
  readonly ipam?: { readonly configs: readonly { readonly subnet: string; readonly gateway: string }[] };
}

/** A secret; its data never leaves the managers except to the tasks that use it. @public */
export interface Secret extends StoredObject {
  readonly spec: SecretSpec;
}

/** A config. @public */
export interface Config extends StoredObject {
  readonly spec: ConfigSpec;
}

/** The cluster object (one, named `default`). @public */
export interface ClusterObject extends StoredObject {
  readonly spec: ClusterSpec;
  readonly rootCa?: { readonly caCertPem: string; readonly joinTokens: { readonly worker: string; readonly manager: string } };
}

/** The name `docker service ps` shows for a task: `<service>.<slot>` or `<service>.<node id>`. @public */
export function taskName(task: Pick<Task, 'serviceName' | 'slot' | 'nodeId' | 'id'>): string {
  return task.slot > 0 ? `${task.serviceName}.${task.slot}.${task.id}` : `${task.serviceName}.${task.nodeId}.${task.id}`;
}
