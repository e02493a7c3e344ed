import type { Node, Task } from '../api/index.js';
import { NodeInfo, type TaskFootprint } from './node-info.js';
import { holdsResources } from './task-resources.js';

/**
 * Every node the scheduler knows, with what its tasks hold, kept up to date incrementally: one
 * call per node or task change, never a rescan. Pure (no store, no clock).
 *
 * @example
 * ```ts
 * const set = NodeSet.from(nodes, runningTasks);
 * set.get(nodeId)?.availableMemoryBytes;
 * ```
 * @public
 */
export class NodeSet {
  private readonly infos = new Map<string, NodeInfo>();
  /** Task id → the node it holds resources on. */
  private readonly taskNode = new Map<string, NodeInfo>();
  /** Service id → the nodes holding active tasks of it. */
  private readonly serviceNodes = new Map<string, Set<NodeInfo>>();
  private readonly onServiceCount = (info: NodeInfo, serviceId: string, holds: boolean): void => {
    let nodes = this.serviceNodes.get(serviceId);
    if (holds) {
      if (nodes === undefined) this.serviceNodes.set(serviceId, (nodes = new Set()));
      nodes.add(info);
    } else if (nodes !== undefined) {
      nodes.delete(info);
      if (nodes.size === 0) this.serviceNodes.delete(serviceId);
    }
  };

  /**
   * A node set of `nodes` with `tasks` added; tasks that do not hold resources (see
   * `holdsResources`) are skipped.
   */
  static from(nodes: Iterable<Node>, tasks: Iterable<Task> = []): NodeSet {
    const set = new NodeSet();
    for (const n of nodes) set.setNode(n);
    for (const t of tasks) if (holdsResources(t)) set.addTask(t);
    return set;
  }

  /** The number of known nodes (not counting placeholders for unknown node ids). */
  get size(): number {
    let n = 0;
    for (const info of this.infos.values()) if (info.node !== undefined) n++;
    return n;
  }

  /** The info of a node id, if any (possibly a placeholder without a node). */
  get(nodeId: string): NodeInfo | undefined {
    return this.infos.get(nodeId);
  }

  /** Every known node's info, in the order nodes were first seen. */
  *nodes(): IterableIterator<NodeInfo> {
    for (const info of this.infos.values()) if (info.node !== undefined) yield info;
  }

  /** The nodes holding active tasks of a service (none: undefined). */
  nodesWithService(serviceId: string): ReadonlySet<NodeInfo> | undefined {
    return this.serviceNodes.get(serviceId);
  }

  /** Adds or replaces a node. */
  setNode(node: Node): NodeInfo {
    let info = this.infos.get(node.id);
    if (info === undefined) this.infos.set(node.id, (info = new NodeInfo(node.id, node, this.onServiceCount)));
    else info.setNode(node);
    return info;
  }

  /** Forgets a node; tasks still recorded on it stay (until removed) but it is no candidate. */
  removeNode(nodeId: string): void {
    const info = this.infos.get(nodeId);
    if (info === undefined) return;
    if (info.heldTasks === 0) this.infos.delete(nodeId);
    else info.setNode(undefined);
  }

  /**
   * Records `task` on `task.nodeId` (replacing any earlier version of it, wherever it was). The
   * caller decides that it holds resources. `footprint` is for the planner, which computes it
   * once per group.
   */
  addTask(task: Task, footprint?: TaskFootprint): NodeInfo {
    const at = this.taskNode.get(task.id);
    if (at !== undefined) {
      if (at.id === task.nodeId) {
        at.addTask(task, footprint);
        return at;
      }
      this.removeTask(task.id);
    }
    let info = this.infos.get(task.nodeId);
    if (info === undefined) this.infos.set(task.nodeId, (info = new NodeInfo(task.nodeId, undefined, this.onServiceCount)));
    info.addTask(task, footprint);
    this.taskNode.set(task.id, info);
    return info;
  }

  /** Removes a task's contribution; returns the version removed, or undefined when it held nothing. */
  removeTask(taskId: string): Task | undefined {
    const info = this.taskNode.get(taskId);
    if (info === undefined) return undefined;
    this.taskNode.delete(taskId);
    const removed = info.removeTask(taskId);
    if (info.node === undefined && info.heldTasks === 0 && !info.hasFailures && this.infos.get(info.id) === info) this.infos.delete(info.id);
    return removed;
  }

  /**
   * Records a new version of a task already held on the node it names (see
   * `NodeInfo.refreshTask`); returns the previous version, or undefined (nothing done) when the
   * task is not held on that node.
   */
  refreshTask(task: Task): Task | undefined {
    const info = this.taskNode.get(task.id);
    return info === undefined || info.id !== task.nodeId ? undefined : info.refreshTask(task);
  }

  /** The version of a task recorded as holding resources, if any. */
  heldTask(taskId: string): Task | undefined {
    return this.taskNode.get(taskId)?.heldTask(taskId);
  }

  /** The node a task holds resources on, if any. */
  nodeOf(taskId: string): string | undefined {
    return this.taskNode.get(taskId)?.id;
  }
}
