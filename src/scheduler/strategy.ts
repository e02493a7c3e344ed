import type { Task } from '../api/index.js';
import { ValidationError } from '../errors/index.js';
import { MAX_RECENT_FAILURES, type NodeInfo } from './node-info.js';

/**
 * Orders candidate nodes for a group: negative when `a` should get the next task before `b`,
 * positive when after, 0 when the strategy does not mind (the scheduler then takes the node with
 * the smaller id, so decisions are deterministic).
 *
 * @public
 */
export type NodeComparator = (a: NodeInfo, b: NodeInfo) => number;

/** The group of identical tasks a strategy orders nodes for. @public */
export interface StrategyGroup {
  readonly serviceId: string;
  readonly specVersion: number;
  /** One task of the group (all share the service, spec version and spec). */
  readonly task: Task;
  /** The time of the decision (for recent-failure windows). */
  readonly now: number;
}

/**
 * How the scheduler chooses among the nodes that passed every filter. Flotilla's extension
 * point (SwarmKit has spread only).
 *
 * The scheduler calls `nodeOrder` once per group of identical tasks (same service and spec
 * version) and keeps the candidates of each placement-preference branch in a heap ordered by the
 * comparator; each task goes to the first node, whose info is then updated (the task added) and
 * re-sorted. So the comparator must be a consistent order that depends only on the two nodes'
 * infos and on values fixed for the group: then a decision costs O(log nodes), not a scan.
 * Placement preferences (`spread: node.labels.zone`) are applied above any strategy: the branch
 * with the fewest tasks of the service is filled first, and the strategy orders nodes within it.
 *
 * @example
 * ```ts
 * // Prefer the node with the most free memory, and never mind task counts.
 * const mostFreeMemory: SchedulingStrategy = {
 *   name: 'most-free-memory',
 *   nodeOrder: () => (a, b) => b.availableMemoryBytes - a.availableMemoryBytes,
 * };
 * new Scheduler({ store, clock, strategy: mostFreeMemory });
 * ```
 * @public
 */
export interface SchedulingStrategy {
  /** A name for logs. */
  readonly name: string;
  /** The node order for one group. */
  nodeOrder(group: StrategyGroup): NodeComparator;
}

/** The built-in strategies, by name. @public */
export type StrategyName = 'spread' | 'binpack';

/**
 * The failure penalty of a node for a group: its recent failures of this service version when
 * they reach {@link MAX_RECENT_FAILURES} within the failure window, else 0. Both built-in
 * strategies sort nodes with a penalty last, the most failures last of all.
 *
 * @public
 */
export function failurePenalty(node: NodeInfo, group: StrategyGroup): number {
  if (!node.hasFailures) return 0;
  const n = node.recentFailures(group.serviceId, group.specVersion, group.now);
  return n >= MAX_RECENT_FAILURES ? n : 0;
}

/**
 * Docker's spread (the default): nodes with at least 5 failures of this service version in the
 * last 5 minutes last, then the node with the fewest active tasks of this service, then the
 * fewest active tasks overall.
 *
 * @public
 */
export const spreadStrategy: SchedulingStrategy = Object.freeze({
  name: 'spread',
  nodeOrder(group: StrategyGroup): NodeComparator {
    const serviceId = group.serviceId;
    return (a, b) => {
      if (a.hasFailures || b.hasFailures) {
        const d = failurePenalty(a, group) - failurePenalty(b, group);
        if (d !== 0) return d;
      }
      const s = a.serviceTasks(serviceId) - b.serviceTasks(serviceId);
      if (s !== 0) return s;
      return a.activeTasks - b.activeTasks;
    };
  },
});

/**
 * Binpack (a Flotilla extension): fill the fullest node that still fits first, so whole nodes
 * stay free for big tasks or can be turned off. Nodes with recent failures go last (as in
 * spread), then the node with the largest reserved fraction (the larger of its CPU and memory
 * fractions) first, then the node with the most active tasks. Tasks that reserve nothing all go
 * to one node, bounded only by `maxReplicas` and host ports: binpack is meant for tasks with
 * reservations.
 *
 * @public
 */
export const binpackStrategy: SchedulingStrategy = Object.freeze({
  name: 'binpack',
  nodeOrder(group: StrategyGroup): NodeComparator {
    return (a, b) => {
      if (a.hasFailures || b.hasFailures) {
        const d = failurePenalty(a, group) - failurePenalty(b, group);
        if (d !== 0) return d;
      }
      const f = b.reservedFraction - a.reservedFraction;
      if (f !== 0) return f;
      return b.activeTasks - a.activeTasks;
    };
  },
});

/** The strategy for a name, or the object itself; `spread` when undefined. @public */
export function resolveStrategy(strategy: StrategyName | SchedulingStrategy | undefined): SchedulingStrategy {
  if (strategy === undefined || strategy === 'spread') return spreadStrategy;
  if (strategy === 'binpack') return binpackStrategy;
  if (typeof strategy === 'object' && strategy !== null && typeof strategy.nodeOrder === 'function') return strategy;
  throw new ValidationError([{ path: 'strategy', message: `unknown strategy ${JSON.stringify(strategy)} (expected 'spread', 'binpack' or a SchedulingStrategy)` }]);
}
