import { matchesConstraints, nodeFacts, parseConstraints, taskStateOrder } from '../../api/index.js';
import type { Constraint, NodeFacts, Node, Service, Task } from '../../api/index.js';

/** Why the constraint enforcer rejects a task. @public */
export type NoncompliantReason = 'constraints' | 'resources';

/** A task that no longer fits its node, and why. @public */
export interface NoncompliantTask {
  readonly task: Task;
  readonly reason: NoncompliantReason;
}

const ASSIGNED = taskStateOrder('assigned');
const RUNNING = taskStateOrder('running');
const COMPLETE = taskStateOrder('complete');

/**
 * True for the tasks the enforcer judges: placed on a node and not yet ended (state assigned to
 * running) and still meant to run (desired state up to running, or complete for a job's task,
 * as SwarmKit judges them).
 *
 * @public
 */
export function isEnforceable(task: Task): boolean {
  const state = taskStateOrder(task.status.state);
  return task.nodeId !== '' && state >= ASSIGNED && state <= RUNNING && taskStateOrder(task.desiredState) <= COMPLETE;
}

interface Available {
  nanoCpus: number;
  memoryBytes: number;
  /** Named generic resources not yet claimed, as `kind\u0000value`. */
  readonly named: Set<string>;
  /** Discrete generic resources left, by kind. */
  readonly discrete: Map<string, number>;
}

function capacity(node: Node): Available | undefined {
  const r = node.description?.resources;
  if (r === undefined) return undefined;
  const named = new Set<string>();
  const discrete = new Map<string, number>();
  for (const g of r.generic ?? []) {
    if ('namedValue' in g) named.add(`${g.kind}\u0000${g.namedValue}`);
    else discrete.set(g.kind, (discrete.get(g.kind) ?? 0) + g.discreteValue);
  }
  return { nanoCpus: r.nanoCpus ?? 0, memoryBytes: r.memoryBytes ?? 0, named, discrete };
}

/** Claims the task's reservation from `left`; false (claiming nothing) when it does not fit. */
function claim(task: Task, left: Available): boolean {
  const reservation = task.spec.resources?.reservations;
  const cpus = reservation?.nanoCpus ?? 0;
  const memory = reservation?.memoryBytes ?? 0;
  if (cpus > left.nanoCpus || memory > left.memoryBytes) return false;
  const named: string[] = [];
  const discrete = new Map<string, number>();
  for (const g of task.assignedGenericResources ?? []) {
    if (typeof g.value === 'string') {
      const key = `${g.kind}\u0000${g.value}`;
      if (!left.named.has(key) || named.includes(key)) return false;
      named.push(key);
    } else {
      const need = (discrete.get(g.kind) ?? 0) + g.value;
      if (need > (left.discrete.get(g.kind) ?? 0)) return false;
      discrete.set(g.kind, need);
    }
  }
  left.nanoCpus -= cpus;
  left.memoryBytes -= memory;
  for (const key of named) left.named.delete(key);
  for (const [kind, n] of discrete) left.discrete.set(kind, (left.discrete.get(kind) ?? 0) - n);
  return true;
}

/**
 * The tasks on `node` that no longer fit it (SwarmKit's constraint enforcer, as a pure function).
 * Only active nodes are judged: a drained node's tasks are the orchestrator's to stop, a paused
 * node keeps its tasks. Of the node's enforceable tasks (see {@link isEnforceable}), taken
 * oldest first:
 *
 * - a task whose service's current placement constraints (the task's own when the service is
 *   gone) no longer match the node is noncompliant (`constraints`);
 * - otherwise its reservations (CPU, memory, and the generic resources assigned to it) are
 *   claimed from the node's capacity; a task that no longer fits in what is left is noncompliant
 *   (`resources`), so when a node shrinks, the newest tasks go first.
 *
 * A node that has not reported its resources yet is not judged on resources. Unparsable
 * constraints (which validation prevents) are ignored.
 *
 * @param node - the node as stored
 * @param tasks - the tasks assigned to the node
 * @param serviceOf - looks up a task's service
 * @public
 */
export function findNoncompliantTasks(node: Node, tasks: readonly Task[], serviceOf: (serviceId: string) => Service | undefined): NoncompliantTask[] {
  if (node.spec.availability !== 'active') return [];
  const candidates = tasks.filter((t) => t.nodeId === node.id && isEnforceable(t));
  if (candidates.length === 0) return [];
  candidates.sort((a, b) => a.meta.createdAt - b.meta.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const facts = nodeFacts(node);
  const left = capacity(node);
  const parsed = new Map<string, readonly Constraint[] | undefined>();
  const out: NoncompliantTask[] = [];
  for (const task of candidates) {
    if (!fitsConstraints(task, facts, serviceOf, parsed)) {
      out.push({ task, reason: 'constraints' });
      continue;
    }
    if (left !== undefined && !claim(task, left)) out.push({ task, reason: 'resources' });
  }
  return out;
}

function fitsConstraints(
  task: Task,
  facts: NodeFacts,
  serviceOf: (serviceId: string) => Service | undefined,
  cache: Map<string, readonly Constraint[] | undefined>,
): boolean {
  const service = serviceOf(task.serviceId);
  const key = service === undefined ? `task:${task.id}` : `service:${service.id}`;
  let constraints = cache.get(key);
  if (!cache.has(key)) {
    const expressions = (service?.spec.task ?? task.spec).placement?.constraints ?? [];
    try {
      constraints = expressions.length === 0 ? undefined : parseConstraints(expressions);
    } catch {
      constraints = undefined;
    }
    cache.set(key, constraints);
  }
  return constraints === undefined || matchesConstraints(constraints, facts);
}
