import type { NodeInfo } from './node-info.js';
import { RootHeap } from './root-heap.js';
import type { NodeComparator } from './strategy.js';

/**
 * One branch of the placement-preference tree: the candidates sharing a label value at every
 * level above. An inner branch holds its sub-branches in a heap ordered by how many tasks of the
 * service they hold (fewest first); a leaf holds its nodes in a heap ordered by the strategy.
 */
interface Branch {
  /** Active tasks of the service on the branch's nodes, including those placed by this group. */
  tasks: number;
  /** Tie-break between sibling branches: label values in sorted order, the null branch last. */
  readonly order: number;
  readonly children: RootHeap<Branch> | undefined;
  readonly nodes: RootHeap<NodeInfo> | undefined;
}

const NODE_LABELS = 'node.labels.';
const ENGINE_LABELS = 'engine.labels.';

/**
 * The value of a spread descriptor on a node: `node.labels.<key>` (labels set on the node) or
 * `engine.labels.<key>` (labels its engine reports), prefixes case-insensitive. Undefined when
 * the node lacks the label, or for any other descriptor: such nodes share the "null" branch.
 *
 * @public
 */
export function spreadValue(node: NodeInfo, descriptor: string): string | undefined {
  const lower = descriptor.toLowerCase();
  const n = node.node;
  if (n === undefined) return undefined;
  if (lower.startsWith(NODE_LABELS)) return own(n.spec.labels, descriptor.slice(NODE_LABELS.length));
  if (lower.startsWith(ENGINE_LABELS)) return own(n.description?.engine.labels, descriptor.slice(ENGINE_LABELS.length));
  return undefined;
}

function own(labels: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

const branchLess = (a: Branch, b: Branch): boolean => a.tasks < b.tasks || (a.tasks === b.tasks && a.order < b.order);

function isEmpty(b: Branch): boolean {
  return (b.nodes?.size ?? 0) === 0 && (b.children?.size ?? 0) === 0;
}

/**
 * Picks nodes for the tasks of one group, one at a time: at each preference level the branch
 * with the fewest tasks of the service (SwarmKit's topology-aware spread, greedily: it ends in the
 * same even split), at the leaf the first node in the strategy's order. O(levels × log width)
 * per task.
 *
 * @internal
 */
export class PlacementTree {
  private readonly root: Branch;
  private readonly path: Branch[] = [];

  /** `candidates` must carry their `rank` (id order) for tie-breaks. */
  constructor(candidates: NodeInfo[], descriptors: readonly string[], serviceId: string, order: NodeComparator) {
    const nodeLess = (a: NodeInfo, b: NodeInfo): boolean => {
      const c = order(a, b);
      return c < 0 || (c === 0 && a.rank < b.rank);
    };
    this.root = build(candidates, descriptors, 0, 0, serviceId, nodeLess);
  }

  /** Whether no candidate is left. */
  get empty(): boolean {
    return isEmpty(this.root);
  }

  /** The node the next task should go to, or undefined when none is left. */
  next(): NodeInfo | undefined {
    const path = this.path;
    path.length = 0;
    let b: Branch | undefined = this.root;
    while (b !== undefined) {
      path.push(b);
      if (b.nodes !== undefined) return b.nodes.peek();
      b = b.children?.peek();
    }
    return undefined;
  }

  /**
   * Records that a task went to the node `next` returned: `counts` whether it counts as a task of
   * the service (an active task), `fits` whether the node can still take another task of the
   * group (if not it leaves the tree).
   */
  placed(counts: boolean, fits: boolean): void {
    const path = this.path;
    const leaf = path[path.length - 1] as Branch;
    if (fits) leaf.nodes?.rootChanged();
    else leaf.nodes?.pop();
    for (let i = path.length - 1; i >= 0; i--) {
      const b = path[i] as Branch;
      if (counts) b.tasks++;
      if (i === 0) break;
      const parent = (path[i - 1] as Branch).children as RootHeap<Branch>;
      if (isEmpty(b)) parent.pop();
      else parent.rootChanged();
    }
  }
}

function build(
  nodes: NodeInfo[],
  descriptors: readonly string[],
  level: number,
  order: number,
  serviceId: string,
  nodeLess: (a: NodeInfo, b: NodeInfo) => boolean,
): Branch {
  let tasks = 0;
  for (const n of nodes) tasks += n.serviceTasks(serviceId);
  if (level === descriptors.length) return { tasks, order, children: undefined, nodes: new RootHeap(nodes, nodeLess) };
  const descriptor = descriptors[level] as string;
  const byValue = new Map<string | undefined, NodeInfo[]>();
  for (const n of nodes) {
    const v = spreadValue(n, descriptor);
    let list = byValue.get(v);
    if (list === undefined) byValue.set(v, (list = []));
    list.push(n);
  }
  const values = [...byValue.keys()].sort((a, b) => (a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1));
  const children = values.map((v, i) => build(byValue.get(v) as NodeInfo[], descriptors, level + 1, i, serviceId, nodeLess));
  return { tasks, order, children: new RootHeap(children, branchLess), nodes: undefined };
}
