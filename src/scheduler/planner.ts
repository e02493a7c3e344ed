import type { Node, Task } from '../api/index.js';
import { noSuitableNode, Pipeline, type Filter } from './filter.js';
import { defaultFilters } from './filters.js';
import { taskFootprint, type NodeInfo, type TaskFootprint } from './node-info.js';
import { NodeSet } from './node-set.js';
import { PlacementTree } from './placement-tree.js';
import { resolveStrategy, type SchedulingStrategy, type StrategyName } from './strategy.js';
import { holdsResources, type GenericClaim } from './task-resources.js';

const NO_CLAIMS: readonly GenericClaim[] = Object.freeze([]);

/** The status message of a task the scheduler placed. @public */
export const ASSIGNED_MESSAGE = 'scheduler assigned task to node';
/** The status message of a preassigned task the scheduler confirmed. @public */
export const CONFIRMED_MESSAGE = 'scheduler confirmed task can run on preassigned node';

/** A decision to run a task on a node. @public */
export interface Placement {
  /** The task as it was given to the planner. */
  readonly task: Task;
  readonly nodeId: string;
  /** The node as the planner saw it (its `meta.version` tells whether it changed since). */
  readonly node: Node;
  /** The task as the planner recorded it on the node: `assigned`, with its node and generic resources. */
  readonly assigned: Task;
  /** Generic resource units given to the task (empty when it reserves none). */
  readonly genericResources: readonly GenericClaim[];
  /** True when the task came with its node (a global service's) and was only checked. */
  readonly preassigned: boolean;
}

/** A task that fits on no node, with the reason. @public */
export interface Unplaced {
  /** The task as it was given to the planner. */
  readonly task: Task;
  /** `no suitable node (insufficient memory on 3 nodes; 1 node not available for new tasks)`. */
  readonly reason: string;
}

/** What the planner decided. @public */
export interface PlacementPlan {
  /** In decision order: preassigned tasks first, then groups by service id and spec version, tasks by slot and id. */
  readonly placements: readonly Placement[];
  readonly unplaced: readonly Unplaced[];
}

/** Options of {@link planPlacements} and {@link placeTasks}. @public */
export interface PlanOptions {
  /** `spread` (default), `binpack`, or a strategy object. */
  readonly strategy?: StrategyName | SchedulingStrategy;
  /** The time of the decision, for recent-failure windows and status timestamps (default 0). */
  readonly now?: number;
  /** Makes the filters (default {@link defaultFilters}). Filters are stateful: return fresh ones. */
  readonly filters?: () => Filter[];
}

/**
 * Plans where `tasks` go on `nodes`, without a store or a clock: the pure scheduling core, and
 * what the benchmark drives. `existing` are the tasks already on the nodes (those holding
 * resources count; others are ignored).
 *
 * Tasks with a `nodeId` (preassigned, as global services' are) are only checked against the
 * filters on that node. The others are grouped by service and spec version; each group is placed
 * at once: the filters run once per node (those that look only at the node object, such as
 * constraints, once per plan for all groups that share them), the survivors go into the
 * placement-preference tree in the strategy's order, and each task then costs O(log nodes):
 * O(groups × nodes + tasks × log nodes) in all. As in SwarmKit, the tasks of one
 * service and spec version must share one spec (the orchestrators copy it from the service), since
 * the group is filtered once, with its first task. See {@link placeTasks}.
 *
 * @example
 * ```ts
 * const plan = planPlacements(nodes, pendingTasks, { strategy: 'binpack', existing: runningTasks });
 * for (const p of plan.placements) console.log(p.task.id, '->', p.nodeId);
 * for (const u of plan.unplaced) console.log(u.task.id, u.reason);
 * ```
 * @public
 */
export function planPlacements(
  nodes: readonly Node[],
  tasks: readonly Task[],
  options: PlanOptions & { readonly existing?: readonly Task[] } = {},
): PlacementPlan {
  const set = NodeSet.from(nodes, (options.existing ?? []).filter(holdsResources));
  return placeTasks(set, tasks, options);
}

/**
 * Like {@link planPlacements}, on a {@link NodeSet} that it updates: each placed task is added to
 * its node (as an `assigned` task), so the set reflects the plan. This is what the `Scheduler`
 * runs on its incrementally maintained set.
 *
 * @public
 */
export function placeTasks(set: NodeSet, tasks: readonly Task[], options: PlanOptions = {}): PlacementPlan {
  return new Planner(resolveStrategy(options.strategy), (options.filters ?? defaultFilters)()).plan(set, tasks, options.now ?? 0);
}

/** What the groups of one plan share. */
interface Pass {
  readonly set: NodeSet;
  /** Every known node, in id order (their `rank`). */
  readonly nodes: readonly NodeInfo[];
  /** Node-only filter results by key (see `Pipeline.nodeOnlyKey`). */
  readonly nodeOnly: Map<string, readonly NodeInfo[]>;
}

/**
 * The scheduling core, reusable across decisions (its filters are stateful).
 *
 * @internal
 */
export class Planner {
  private readonly pipeline: Pipeline;

  constructor(
    private readonly strategy: SchedulingStrategy,
    filters: readonly Filter[],
  ) {
    this.pipeline = new Pipeline(filters);
  }

  plan(set: NodeSet, tasks: readonly Task[], now: number): PlacementPlan {
    const placements: Placement[] = [];
    const unplaced: Unplaced[] = [];
    const services = new Map<string, Map<number, Task[]>>();
    const preassigned: Task[] = [];
    for (const t of tasks) {
      if (t.nodeId !== '') {
        preassigned.push(t);
        continue;
      }
      let versions = services.get(t.serviceId);
      if (versions === undefined) services.set(t.serviceId, (versions = new Map()));
      let g = versions.get(t.specVersion);
      if (g === undefined) versions.set(t.specVersion, (g = []));
      g.push(t);
    }
    preassigned.sort(byId);
    for (const t of preassigned) this.checkPreassigned(set, t, now, placements, unplaced);
    const nodes = [...set.nodes()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let i = 0; i < nodes.length; i++) (nodes[i] as NodeInfo).rank = i;
    const pass: Pass = { set, nodes, nodeOnly: new Map() };
    for (const serviceId of [...services.keys()].sort()) {
      const versions = services.get(serviceId) as Map<number, Task[]>;
      for (const version of [...versions.keys()].sort((a, b) => a - b)) {
        const group = versions.get(version) as Task[];
        group.sort(bySlotThenId);
        this.placeGroup(pass, group, now, placements, unplaced);
      }
    }
    return { placements, unplaced };
  }

  private checkPreassigned(set: NodeSet, task: Task, now: number, placements: Placement[], unplaced: Unplaced[]): void {
    const info = set.get(task.nodeId);
    if (info?.node === undefined) {
      unplaced.push({ task, reason: noSuitableNode('node not found') });
      return;
    }
    this.pipeline.setTask(task);
    if (!this.pipeline.process(info)) {
      unplaced.push({ task, reason: noSuitableNode(this.pipeline.explain()) });
      return;
    }
    placements.push(this.assign(set, info, task, taskFootprint(task), now, true));
  }

  /** The nodes passing the group's node-only filters, shared by every group of the pass with the same key. */
  private nodeOnlyCandidates(pass: Pass): readonly NodeInfo[] {
    const key = this.pipeline.nodeOnlyKey;
    const cached = key === undefined ? undefined : pass.nodeOnly.get(key);
    if (cached !== undefined) return cached;
    const passing = pass.nodes.filter((n) => this.pipeline.passesNodeOnly(n));
    if (key !== undefined) pass.nodeOnly.set(key, passing);
    return passing;
  }

  private placeGroup(pass: Pass, group: readonly Task[], now: number, placements: Placement[], unplaced: Unplaced[]): void {
    const first = group[0] as Task;
    const serviceId = first.serviceId;
    const pipeline = this.pipeline;
    pipeline.setTask(first);
    const candidates: NodeInfo[] = [];
    // Nodes without tasks of the service learn that they have none (no lookup), which primes
    // their one-service cache for the strategy's order; the few others look theirs up.
    const withService = pass.set.nodesWithService(serviceId);
    for (const info of this.nodeOnlyCandidates(pass)) {
      if (pipeline.recheck(info) >= 0) continue;
      if (withService?.has(info) === true) info.serviceTasks(serviceId);
      else info.primeServiceTasks(serviceId, 0);
      candidates.push(info);
    }
    const order = this.strategy.nodeOrder({ serviceId, specVersion: first.specVersion, task: first, now });
    const descriptors = (first.spec.placement?.preferences ?? []).map((p) => p.spread);
    const tree = new PlacementTree(candidates, descriptors, serviceId, order);
    // Every task scheduled is active (desired complete or earlier) and shares the group's spec.
    const footprint = taskFootprint(first);
    let i = 0;
    for (; i < group.length; i++) {
      const info = tree.next();
      if (info === undefined) break;
      placements.push(this.assign(pass.set, info, group[i] as Task, footprint, now, false));
      tree.placed(footprint.active, pipeline.recheck(info) < 0);
    }
    if (i === group.length) return;
    // Every node is full or unsuitable now: say why, node by node, in pipeline order.
    const reason = noSuitableNode(pipeline.explainNodes(pass.nodes));
    for (; i < group.length; i++) unplaced.push({ task: group[i] as Task, reason });
  }

  /** Records `task` on `info`'s node in the set, as the store will hold it once assigned. */
  private assign(set: NodeSet, info: NodeInfo, task: Task, footprint: TaskFootprint, now: number, preassigned: boolean): Placement {
    const claims = footprint.generic.length > 0 ? info.chooseGeneric(footprint.generic) : NO_CLAIMS;
    const assigned = assignedTask(task, info.id, claims, now, preassigned ? CONFIRMED_MESSAGE : ASSIGNED_MESSAGE);
    set.addTask(assigned, footprint);
    return { task, nodeId: info.id, node: info.node as Node, assigned, genericResources: claims, preassigned };
  }
}

/** The task as the scheduler's write makes it: on its node, `assigned`. @internal */
export function assignedTask(task: Task, nodeId: string, claims: readonly GenericClaim[], now: number, message: string): Task {
  return {
    ...task,
    nodeId,
    status: { state: 'assigned', timestamp: now, message },
    ...(claims.length > 0 ? { assignedGenericResources: claims } : {}),
  };
}

function byId(a: Task, b: Task): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function bySlotThenId(a: Task, b: Task): number {
  return a.slot - b.slot || byId(a, b);
}
