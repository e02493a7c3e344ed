import type { GenericResource, Node, NodeFacts, Task } from '../api/index.js';
import { nodeFacts, normaliseArch } from '../api/index.js';
import { GenericLedger } from './generic-ledger.js';
import { isActiveTask, nodeCapacity, taskHostPorts, taskReservation, type GenericClaim } from './task-resources.js';

/** How far back task failures count against a node (SwarmKit's 5 minutes). @public */
export const FAILURE_WINDOW_MS = 5 * 60_000;

/** Failures of one service version within {@link FAILURE_WINDOW_MS} that push a node to the back (SwarmKit's 5). @public */
export const MAX_RECENT_FAILURES = 5;

/** Most failure timestamps kept per service version and node (older ones are dropped first). */
const FAILURES_KEPT = 16;

/** What a held task contributes to its node, remembered so that removal gives back exactly that. */
interface Held {
  /** The latest version; replaced in place when a new version takes the same (see `sameFootprint`). */
  task: Task;
  /** Shared by a group of identical tasks when the planner placed them (no copy of it per task). */
  readonly footprint: TaskFootprint;
  readonly claims: readonly GenericClaim[];
}

/**
 * What a task takes on its node (see {@link NodeInfo.addTask}); the planner computes it once per
 * group of identical tasks.
 *
 * @public
 */
export interface TaskFootprint {
  readonly active: boolean;
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly ports: readonly string[];
  readonly generic: readonly GenericResource[];
}

/** The footprint of `task` on a node. @public */
export function taskFootprint(task: Task): TaskFootprint {
  const r = taskReservation(task);
  return { active: isActiveTask(task), nanoCpus: r.nanoCpus, memoryBytes: r.memoryBytes, ports: taskHostPorts(task), generic: r.generic };
}

/**
 * Called when a node starts (`holds` true) or stops holding active tasks of a service.
 *
 * @public
 */
export type ServiceIndex = (node: NodeInfo, serviceId: string, holds: boolean) => void;

/** Amounts of CPU and memory. @public */
export interface CpuMemory {
  readonly nanoCpus: number;
  readonly memoryBytes: number;
}

/**
 * One node as the scheduler sees it: the node object and what its tasks hold on it. Part of the
 * pure scheduling core: no store, no clock (times are passed in).
 *
 * - Tasks are added while they hold resources (`assigned` through `running`, see
 *   `holdsResources`) and removed when they stop holding them.
 * - Counts (`activeTasks`, `serviceTasks`) include only active tasks (desired state `complete`
 *   or earlier), as SwarmKit's: a task being shut down still holds its reservations but no
 *   longer counts for spreading.
 * - Reservations (CPU, memory, generic resources) and host-mode published ports are summed over
 *   every held task.
 * - Recent failures are kept per service and spec version, with their times.
 *
 * A `NodeInfo` may exist without a node (tasks that name a node not seen yet, or one deleted):
 * it is then never a candidate for new tasks.
 *
 * @public
 */
export class NodeInfo {
  /** The node id. */
  readonly id: string;
  /**
   * The node's position in id order among the nodes of the current plan, set by the planner:
   * ties in the strategy's order go to the lower rank (the smaller id), cheaper than comparing ids.
   *
   * @internal
   */
  rank = 0;
  private current: Node | undefined;
  private cachedFacts: NodeFacts | undefined;
  private cap: CpuMemory = { nanoCpus: 0, memoryBytes: 0 };
  private os = '';
  private arch = '';
  private readonly held = new Map<string, Held>();
  private readonly byService = new Map<string, number>();
  private active = 0;
  private cpuReserved = 0;
  private memoryReserved = 0;
  private readonly generic = new GenericLedger();
  private readonly ports = new Map<string, number>();
  private failures: Map<string, number[]> | undefined;
  private lastCleanup = -Infinity;
  /** The last service asked about and its count: the strategies ask about one service at a time. */
  private lastService: string | undefined;
  private lastServiceCount = 0;
  /** Told when the node starts or stops holding tasks of a service (kept by a `NodeSet`). */
  private readonly serviceIndex: ServiceIndex | undefined;

  /**
   * @param id - the node id
   * @param node - the node object, if known yet
   * @param serviceIndex - told when the node starts or stops holding tasks of a service (a
   * `NodeSet` passes one to keep its service index)
   */
  constructor(id: string, node?: Node, serviceIndex?: ServiceIndex) {
    this.id = id;
    this.serviceIndex = serviceIndex;
    if (node !== undefined) this.setNode(node);
  }

  /** The node, or undefined when it is not (or no longer) known. */
  get node(): Node | undefined {
    return this.current;
  }

  /** Replaces the node object (after a node update); what its tasks hold is kept. */
  setNode(node: Node | undefined): void {
    this.current = node;
    this.cachedFacts = undefined;
    this.cap = nodeCapacity(node);
    this.os = (node?.description?.platform.os ?? '').toLowerCase();
    this.arch = normaliseArch(node?.description?.platform.architecture ?? '');
    this.generic.setCapacity(node?.description?.resources.generic);
  }

  /** What constraints are matched against (computed once per node version). */
  get facts(): NodeFacts | undefined {
    if (this.current === undefined) return undefined;
    return (this.cachedFacts ??= nodeFacts(this.current));
  }

  /** The node's OS, lower case (empty when unknown). */
  get platformOs(): string {
    return this.os;
  }

  /** The node's architecture, normalised (`x86_64` → `amd64`, `aarch64` → `arm64`; empty when unknown). */
  get platformArch(): string {
    return this.arch;
  }

  /** Active tasks on the node, over all services. */
  get activeTasks(): number {
    return this.active;
  }

  /** Active tasks of one service on the node. */
  serviceTasks(serviceId: string): number {
    if (serviceId === this.lastService) return this.lastServiceCount;
    const n = this.byService.get(serviceId) ?? 0;
    this.lastService = serviceId;
    this.lastServiceCount = n;
    return n;
  }

  /**
   * Sets the one-service cache behind {@link NodeInfo.serviceTasks} to `count`, which the caller
   * knows (0 for a node it knows holds no task of the service), sparing a lookup per node.
   */
  primeServiceTasks(serviceId: string, count: number): void {
    this.lastService = serviceId;
    this.lastServiceCount = count;
  }

  private changeServiceCount(serviceId: string, delta: number): void {
    const before = this.byService.get(serviceId) ?? 0;
    const n = before + delta;
    if (n > 0) this.byService.set(serviceId, n);
    else this.byService.delete(serviceId);
    if (serviceId === this.lastService) this.lastServiceCount = n > 0 ? n : 0;
    if (this.serviceIndex !== undefined && (before > 0) !== (n > 0)) this.serviceIndex(this, serviceId, n > 0);
  }

  /** Every task held on the node (holding resources), active or not. */
  get tasks(): ReadonlyMap<string, Task> {
    const out = new Map<string, Task>();
    for (const [id, h] of this.held) out.set(id, h.task);
    return out;
  }

  /** Number of tasks holding resources on the node. */
  get heldTasks(): number {
    return this.held.size;
  }

  /** Whether a task with this id is held here. */
  hasTask(taskId: string): boolean {
    return this.held.has(taskId);
  }

  /** What the node reports it has. */
  get capacity(): CpuMemory {
    return this.cap;
  }

  /** What its tasks reserve. */
  get reserved(): CpuMemory {
    return { nanoCpus: this.cpuReserved, memoryBytes: this.memoryReserved };
  }

  /** Capacity minus reservations (may be negative after the node shrank). */
  get available(): CpuMemory {
    return { nanoCpus: this.cap.nanoCpus - this.cpuReserved, memoryBytes: this.cap.memoryBytes - this.memoryReserved };
  }

  /** Free nano-CPUs. */
  get availableNanoCpus(): number {
    return this.cap.nanoCpus - this.cpuReserved;
  }

  /** Free memory bytes. */
  get availableMemoryBytes(): number {
    return this.cap.memoryBytes - this.memoryReserved;
  }

  /**
   * The larger of the reserved fractions of CPU and memory, from 0 (nothing reserved, or the
   * node reports no capacity) to 1 (full); what binpack fills by.
   */
  get reservedFraction(): number {
    const cpu = this.cap.nanoCpus > 0 ? this.cpuReserved / this.cap.nanoCpus : 0;
    const mem = this.cap.memoryBytes > 0 ? this.memoryReserved / this.cap.memoryBytes : 0;
    return cpu > mem ? cpu : mem;
  }

  /** Free units of a generic resource kind. */
  genericAvailable(kind: string): number {
    return this.generic.available(kind);
  }

  /** Whether every generic request fits at once. */
  genericFits(requests: readonly GenericResource[]): boolean {
    return this.generic.fits(requests);
  }

  /** The generic units that would serve `requests` here (see `GenericLedger.choose`). */
  chooseGeneric(requests: readonly GenericResource[]): readonly GenericClaim[] {
    return this.generic.choose(requests);
  }

  /** Whether a host port (`tcp/8080`, see `hostPortKey`) is bound by a task on the node. */
  usesHostPort(key: string): boolean {
    return this.ports.has(key);
  }

  /** The host ports bound on the node. */
  get usedHostPorts(): ReadonlySet<string> {
    return new Set(this.ports.keys());
  }

  /**
   * Adds a task that holds resources here (replacing an earlier version of it). Its generic
   * resources are those in `task.assignedGenericResources`, or, when it has none, the ones its
   * reservations would be given now.
   */
  addTask(task: Task, footprint?: TaskFootprint): void {
    const old = this.held.get(task.id);
    if (old !== undefined) {
      // The usual case: a new version of a task already counted here (its state moved on, or the
      // scheduler's own decision came back committed) takes exactly the same.
      if (sameFootprint(old.task, task)) {
        old.task = task;
        return;
      }
      this.removeTask(task.id);
    }
    footprint ??= taskFootprint(task);
    let claims: readonly GenericClaim[] = task.assignedGenericResources ?? NO_CLAIMS;
    if (claims.length === 0 && footprint.generic.length > 0) claims = this.generic.choose(footprint.generic);
    const h: Held = { task, footprint, claims };
    this.held.set(task.id, h);
    if (footprint.active) {
      this.active++;
      this.changeServiceCount(task.serviceId, 1);
    }
    this.cpuReserved += footprint.nanoCpus;
    this.memoryReserved += footprint.memoryBytes;
    for (const p of footprint.ports) this.ports.set(p, (this.ports.get(p) ?? 0) + 1);
    if (claims.length > 0) this.generic.take(claims);
  }

  /**
   * Records a new version of a task held here: in place when it takes the same, else by removing
   * and adding it. Returns the previous version, or undefined (nothing done) when it was not held here.
   */
  refreshTask(task: Task): Task | undefined {
    const h = this.held.get(task.id);
    if (h === undefined) return undefined;
    const previous = h.task;
    if (sameFootprint(previous, task)) h.task = task;
    else this.addTask(task);
    return previous;
  }

  /** The version of a held task recorded here, if any. */
  heldTask(taskId: string): Task | undefined {
    return this.held.get(taskId)?.task;
  }

  /** Removes a held task; returns it, or undefined when it was not held here. */
  removeTask(taskId: string): Task | undefined {
    const h = this.held.get(taskId);
    if (h === undefined) return undefined;
    this.held.delete(taskId);
    if (h.footprint.active) {
      this.active--;
      this.changeServiceCount(h.task.serviceId, -1);
    }
    this.cpuReserved -= h.footprint.nanoCpus;
    this.memoryReserved -= h.footprint.memoryBytes;
    for (const p of h.footprint.ports) {
      const left = (this.ports.get(p) ?? 0) - 1;
      if (left > 0) this.ports.set(p, left);
      else this.ports.delete(p);
    }
    if (h.claims.length > 0) this.generic.release(h.claims);
    return h.task;
  }

  /** Records that a task of `serviceId` at `specVersion` failed (or was rejected) here at `now`. */
  taskFailed(serviceId: string, specVersion: number, now: number): void {
    const failures = (this.failures ??= new Map());
    if (now - this.lastCleanup >= FAILURE_WINDOW_MS) this.cleanupFailures(now);
    const k = failureKey(serviceId, specVersion);
    const list = failures.get(k) ?? [];
    list.push(now);
    // Keep only the window, and a bounded number of entries.
    let drop = 0;
    while (drop < list.length && now - (list[drop] as number) >= FAILURE_WINDOW_MS) drop++;
    if (list.length - drop > FAILURES_KEPT) drop = list.length - FAILURES_KEPT;
    failures.set(k, drop > 0 ? list.slice(drop) : list);
  }

  /** Failures of `serviceId` at `specVersion` here within {@link FAILURE_WINDOW_MS} before `now`. */
  recentFailures(serviceId: string, specVersion: number, now: number): number {
    const list = this.failures?.get(failureKey(serviceId, specVersion));
    if (list === undefined) return 0;
    let n = 0;
    for (let i = list.length - 1; i >= 0 && now - (list[i] as number) < FAILURE_WINDOW_MS; i--) n++;
    return n;
  }

  /** Whether any failure is recorded (a fast path for strategies). */
  get hasFailures(): boolean {
    return this.failures !== undefined && this.failures.size > 0;
  }

  /** Copies the failure history of `other` (used when the scheduler rebuilds its node set). */
  copyFailuresFrom(other: NodeInfo): void {
    if (other.failures === undefined) return;
    this.failures = new Map([...other.failures].map(([k, v]) => [k, [...v]]));
    this.lastCleanup = other.lastCleanup;
  }

  private cleanupFailures(now: number): void {
    const failures = this.failures;
    if (failures === undefined) return;
    for (const [k, list] of failures) {
      const last = list[list.length - 1];
      if (last === undefined || now - last >= FAILURE_WINDOW_MS) failures.delete(k);
    }
    this.lastCleanup = now;
  }
}

const NO_CLAIMS: readonly GenericClaim[] = Object.freeze([]);

/** Whether two versions of a task take the same on a node (same spec, ports, activity, generic units). */
function sameFootprint(a: Task, b: Task): boolean {
  return a.spec === b.spec && a.endpoint === b.endpoint && a.serviceId === b.serviceId && isActiveTask(a) === isActiveTask(b) && sameClaims(a.assignedGenericResources, b.assignedGenericResources);
}

function sameClaims(a: readonly GenericClaim[] | undefined, b: readonly GenericClaim[] | undefined): boolean {
  if (a === b) return true;
  const x = a ?? NO_CLAIMS;
  const y = b ?? NO_CLAIMS;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]?.kind !== y[i]?.kind || x[i]?.value !== y[i]?.value) return false;
  return true;
}

function failureKey(serviceId: string, specVersion: number): string {
  return `${serviceId}@${specVersion}`;
}
