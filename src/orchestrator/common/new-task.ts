import type { Endpoint, EndpointSpec, Node, Service, TaskState } from '../../api/index.js';
import type { NewObject } from '../../store/index.js';

/** Where and how a new task starts, for {@link newTask}. @public */
export interface NewTaskOptions {
  /** The task's id (from the injected `Random`'s `id()`). */
  readonly id: string;
  /** The current time (the injected clock's `now()`), for the status timestamp. */
  readonly now: number;
  /** Slot number for replicated services and replicated jobs (from 1; jobs from 0); 0 for global ones. */
  readonly slot?: number;
  /** The node, for global services and global jobs (the task arrives pre-assigned). */
  readonly nodeId?: string;
  /**
   * The desired state: `running` for a task that may start at once, `ready` for a replacement
   * that must wait (a delayed restart, a stop-first update), `complete` for jobs.
   */
  readonly desiredState?: TaskState;
  /** For jobs: the iteration the task belongs to. */
  readonly jobIteration?: number;
}

/**
 * Builds a new task (state `new`) for `service` from its current spec, the way every
 * orchestrator creates tasks: the task spec and spec version are copied, so later service changes
 * never change an existing task; the service's endpoint spec is copied so the scheduler can check
 * host-mode ports (`task.endpoint.spec.ports` and `task.endpoint.ports`).
 *
 * @public
 */
export function newTask(service: Service, options: NewTaskOptions): NewObject<'task'> {
  const endpoint = service.spec.endpoint;
  return {
    id: options.id,
    serviceId: service.id,
    serviceName: service.spec.name,
    slot: options.slot ?? 0,
    nodeId: options.nodeId ?? '',
    spec: service.spec.task,
    specVersion: service.specVersion,
    status: { state: 'new', timestamp: options.now, message: 'created' },
    desiredState: options.desiredState ?? 'running',
    ...(endpoint !== undefined ? { endpoint: taskEndpoint(endpoint) } : {}),
    ...(options.jobIteration !== undefined ? { jobIteration: options.jobIteration } : {}),
    ...(service.spec.task.placement?.platforms !== undefined ? { platforms: service.spec.task.placement.platforms } : {}),
  };
}

/** The task endpoint of each frozen (stored) endpoint spec, shared by all the tasks made from it. */
const ENDPOINTS = new WeakMap<EndpointSpec, Endpoint>();

/**
 * `{ spec, ports }` for a task of a service with the endpoint spec `spec`: one frozen object per
 * stored spec rather than one per task (a million tasks would otherwise hold a million copies).
 */
function taskEndpoint(spec: EndpointSpec): Endpoint {
  const shared = ENDPOINTS.get(spec);
  if (shared !== undefined) return shared;
  const endpoint: Endpoint = { spec, ...(spec.ports !== undefined ? { ports: spec.ports } : {}) };
  if (!Object.isFrozen(spec)) return endpoint;
  ENDPOINTS.set(spec, Object.freeze(endpoint));
  return endpoint;
}

/**
 * True when a node can no longer host a service's tasks: it is gone, down, or drained
 * (SwarmKit's `InvalidNode`). A paused node keeps its tasks.
 *
 * @public
 */
export function isInvalidNode(node: Node | undefined): boolean {
  return node === undefined || node.status.state === 'down' || node.spec.availability === 'drain';
}
