import type { Task } from '../api/index.js';
import type { NodeInfo } from './node-info.js';

/**
 * One test a node must pass to receive a task (SwarmKit's `Filter`). A filter is stateful: the
 * scheduler calls `setTask` once per group of identical tasks, then `check` per node.
 *
 * Within one group, a node that fails a filter must keep failing it as more tasks of the group
 * are placed elsewhere or on it (reservations only grow, counts only rise), so the scheduler can
 * drop it for the rest of the group.
 *
 * @public
 */
export interface Filter {
  /** A short stable name, e.g. `memory`. */
  readonly name: string;
  /**
   * True when `check` depends only on the node object, not on the tasks on the node (ready,
   * availability, constraints, platform): the planner then does not re-run it on a node after
   * placing a task there. Leave it unset when unsure.
   */
  readonly nodeOnly?: boolean;
  /** Prepares the filter for `task`; false when it does not apply to this task (then it is skipped). */
  setTask(task: Task): boolean;
  /** Whether the node can take the task given to `setTask`. */
  check(node: NodeInfo): boolean;
  /**
   * Why `nodesFailed` nodes failed, with the count: `insufficient memory on 3 nodes`,
   * `1 node not available for new tasks`.
   */
  explain(nodesFailed: number): string;
  /**
   * For a `nodeOnly` filter: a key for the task given to `setTask`, equal for two tasks exactly
   * when they pass on the same nodes (the constraint list, say). With it the planner filters the
   * nodes once per pass for every group that shares the key, instead of once per group.
   */
  cacheKey?(): string;
}

/** `1 node` or `3 nodes`. @public */
export function countNodes(n: number): string {
  return n === 1 ? '1 node' : `${n} nodes`;
}

/**
 * Runs filters in order over nodes for one task and keeps, per filter, how many nodes it turned
 * away (each node counts once, for the first filter it failed).
 *
 * @public
 */
export class Pipeline {
  private readonly filters: readonly Filter[];
  private enabled: Filter[] = [];
  private enabledIndex: number[] = [];
  private nodeOnly: Filter[] = [];
  private taskDependent: Filter[] = [];
  private taskDependentIndex: number[] = [];
  private key: string | undefined;
  private readonly failures: number[];

  constructor(filters: readonly Filter[]) {
    this.filters = filters;
    this.failures = filters.map(() => 0);
  }

  /** The filters, in order. */
  get all(): readonly Filter[] {
    return this.filters;
  }

  /** Prepares every filter for `task` and clears the failure counts. */
  setTask(task: Task): void {
    this.enabled = [];
    this.enabledIndex = [];
    this.nodeOnly = [];
    this.taskDependent = [];
    this.taskDependentIndex = [];
    const keys: string[] = [];
    let cacheable = true;
    for (const [i, f] of this.filters.entries()) {
      this.failures[i] = 0;
      if (!f.setTask(task)) continue;
      this.enabled.push(f);
      this.enabledIndex.push(i);
      if (f.nodeOnly === true) {
        this.nodeOnly.push(f);
        if (f.cacheKey === undefined) cacheable = false;
        else keys.push(`${i}\u0001${f.cacheKey()}`);
      } else {
        this.taskDependent.push(f);
        this.taskDependentIndex.push(i);
      }
    }
    this.key = cacheable ? keys.join('\u0002') : undefined;
  }

  /**
   * A key for the node-only part of the current task's filters (see {@link Filter.cacheKey}):
   * two tasks with the same key pass the node-only filters on the same nodes. Undefined when a
   * node-only filter has no key.
   */
  get nodeOnlyKey(): string | undefined {
    return this.key;
  }

  /** The index (in the filter list) of the first filter `node` fails, or -1 when it passes all. */
  firstFailure(node: NodeInfo): number {
    const enabled = this.enabled;
    for (let i = 0; i < enabled.length; i++) if (!(enabled[i] as Filter).check(node)) return this.enabledIndex[i] as number;
    return -1;
  }

  /** Whether `node` passes every enabled node-only filter (see {@link Filter.nodeOnly}). */
  passesNodeOnly(node: NodeInfo): boolean {
    const filters = this.nodeOnly;
    for (let i = 0; i < filters.length; i++) if (!(filters[i] as Filter).check(node)) return false;
    return true;
  }

  /**
   * The index of the first filter that looks at the node's tasks (not node-only) that `node`
   * fails, or -1: whether a node that passed the node-only filters can take another task.
   */
  recheck(node: NodeInfo): number {
    const filters = this.taskDependent;
    for (let i = 0; i < filters.length; i++) if (!(filters[i] as Filter).check(node)) return this.taskDependentIndex[i] as number;
    return -1;
  }

  /** Whether `node` passes; a failure is counted against the filter that turned it away. */
  process(node: NodeInfo): boolean {
    const failed = this.firstFailure(node);
    if (failed < 0) return true;
    this.failures[failed] = (this.failures[failed] as number) + 1;
    return false;
  }

  /** Counts a failure against the filter at `index` (as returned by `firstFailure`). */
  countFailure(index: number): void {
    this.failures[index] = (this.failures[index] as number) + 1;
  }

  /** Nodes turned away per filter since `setTask`, in filter order. */
  get failureCounts(): readonly number[] {
    return [...this.failures];
  }

  /**
   * The reasons nodes were turned away, e.g.
   * `insufficient memory on 3 nodes; 2 nodes not available for new tasks`: the filters that
   * turned away at least one node, the most nodes first (ties in pipeline order, as SwarmKit
   * sorts them), joined with `; `. Empty when no node was turned away.
   */
  explain(): string {
    return explainFailures(this.filters, this.failures);
  }

  /** Counts afresh, over `nodes`, the first filter each fails, and explains (see {@link Pipeline.explain}). */
  explainNodes(nodes: Iterable<NodeInfo>): string {
    this.failures.fill(0);
    for (const n of nodes) this.process(n);
    return this.explain();
  }
}

/** See {@link Pipeline.explain}. @public */
export function explainFailures(filters: readonly Filter[], counts: readonly number[]): string {
  const order = filters.map((_, i) => i).filter((i) => (counts[i] ?? 0) > 0);
  order.sort((a, b) => (counts[b] as number) - (counts[a] as number) || a - b);
  return order.map((i) => (filters[i] as Filter).explain(counts[i] as number)).join('; ');
}

/**
 * The status error of a task that fits on no node: `no suitable node (<explanation>)`, or
 * `no suitable node` when there is no node at all.
 *
 * @public
 */
export function noSuitableNode(explanation: string): string {
  return explanation === '' ? 'no suitable node' : `no suitable node (${explanation})`;
}
