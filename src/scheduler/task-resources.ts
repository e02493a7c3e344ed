import type { GenericResource, Node, PortConfig, Task } from '../api/index.js';
import { taskStateOrder } from '../api/index.js';

/**
 * One generic resource a task was given on its node: a count of a discrete kind
 * (`{ kind: 'ssd', value: 2 }`) or one named unit (`{ kind: 'gpu', value: 'GPU-0' }`). The
 * scheduler records them in `task.assignedGenericResources`.
 *
 * @public
 */
export interface GenericClaim {
  readonly kind: string;
  readonly value: string | number;
}

/** What a task sets aside on its node. @public */
export interface TaskReservation {
  /** Nano-CPUs (0 when none). */
  readonly nanoCpus: number;
  /** Bytes (0 when none). */
  readonly memoryBytes: number;
  /** Generic resources asked for (empty when none). */
  readonly generic: readonly GenericResource[];
}

const NO_GENERIC: readonly GenericResource[] = Object.freeze([]);
const EMPTY_RESERVATION: TaskReservation = Object.freeze({ nanoCpus: 0, memoryBytes: 0, generic: NO_GENERIC });

/** The reservations of `task` (`task.spec.resources.reservations`), with zeros for what is unset. @public */
export function taskReservation(task: Pick<Task, 'spec'>): TaskReservation {
  const r = task.spec.resources?.reservations;
  if (r === undefined) return EMPTY_RESERVATION;
  const nanoCpus = r.nanoCpus ?? 0;
  const memoryBytes = r.memoryBytes ?? 0;
  const generic = r.generic ?? NO_GENERIC;
  if (nanoCpus === 0 && memoryBytes === 0 && generic.length === 0) return EMPTY_RESERVATION;
  return { nanoCpus, memoryBytes, generic };
}

/**
 * The ports of a task: the allocated ones (`task.endpoint.ports`, where the allocator writes what
 * it decided) when present, else the ones of the spec it was created from (`task.endpoint.spec.ports`,
 * which the orchestrators copy from the service).
 *
 * @public
 */
export function taskPorts(task: Pick<Task, 'endpoint'>): readonly PortConfig[] {
  return task.endpoint?.ports ?? task.endpoint?.spec?.ports ?? [];
}

/** The key a used host port is tracked under: `<protocol>/<port>`, e.g. `tcp/8080`. @public */
export function hostPortKey(port: Pick<PortConfig, 'protocol' | 'publishedPort'>): string {
  return `${port.protocol ?? 'tcp'}/${port.publishedPort ?? 0}`;
}

/**
 * The host-mode ports a task binds on its node, as {@link hostPortKey} keys: ports with
 * `publishMode: 'host'` and a non-zero `publishedPort` (a host port of 0 lets the engine choose
 * one, which cannot conflict by construction).
 *
 * @public
 */
export function taskHostPorts(task: Pick<Task, 'endpoint'>): readonly string[] {
  const ports = taskPorts(task);
  if (ports.length === 0) return NO_PORTS;
  let keys: string[] | undefined;
  for (const p of ports) {
    if (p.publishMode !== 'host' || p.publishedPort === undefined || p.publishedPort === 0) continue;
    (keys ??= []).push(hostPortKey(p));
  }
  return keys ?? NO_PORTS;
}

const NO_PORTS: readonly string[] = Object.freeze([]);

const PENDING = taskStateOrder('pending');
const ASSIGNED = taskStateOrder('assigned');
const RUNNING = taskStateOrder('running');
const COMPLETE = taskStateOrder('complete');

/**
 * True when `task` holds resources on its node: it has a node and its state is from `assigned`
 * through `running`. A preassigned task still `pending` holds nothing until the scheduler has
 * confirmed it fits; a task past `running` (complete, failed, shut down...) has released them.
 *
 * @public
 */
export function holdsResources(task: Pick<Task, 'nodeId' | 'status'>): boolean {
  if (task.nodeId === '') return false;
  const s = taskStateOrder(task.status.state);
  return s >= ASSIGNED && s <= RUNNING;
}

/**
 * True when `task` counts towards its node's task counts (the spread order): its desired state
 * is `complete` or earlier, i.e. nobody has asked for it to be shut down or removed.
 *
 * @public
 */
export function isActiveTask(task: Pick<Task, 'desiredState'>): boolean {
  return taskStateOrder(task.desiredState) <= COMPLETE;
}

/**
 * What the scheduler has to do with a task:
 * - `unassigned`: pending, no node yet, desired state `complete` or earlier (so `ready` for
 *   delayed restarts and update replacements, `running`, and `complete` for jobs): pick a node;
 * - `preassigned`: pending with a node already set (global services): only check that it fits;
 * - `held`: on a node from `assigned` through `running`: counts on that node;
 * - `ignored`: anything else (not yet allocated, desired shut down or removed, or finished).
 *
 * @public
 */
export type TaskRole = 'unassigned' | 'preassigned' | 'held' | 'ignored';

/** Classifies a task for the scheduler; see {@link TaskRole}. @public */
export function taskRole(task: Pick<Task, 'nodeId' | 'status' | 'desiredState'>): TaskRole {
  const s = taskStateOrder(task.status.state);
  if (s === PENDING) {
    if (!isActiveTask(task)) return 'ignored';
    return task.nodeId === '' ? 'unassigned' : 'preassigned';
  }
  if (task.nodeId !== '' && s >= ASSIGNED && s <= RUNNING) return 'held';
  return 'ignored';
}

/** The capacity a node reports (zeros when it has not described itself). @public */
export function nodeCapacity(node: Node | undefined): { readonly nanoCpus: number; readonly memoryBytes: number } {
  const r = node?.description?.resources;
  return { nanoCpus: r?.nanoCpus ?? 0, memoryBytes: r?.memoryBytes ?? 0 };
}
