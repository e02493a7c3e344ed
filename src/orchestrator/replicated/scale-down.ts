import { nodeFacts } from '../../api/index.js';
import type { Node } from '../../api/index.js';

/** One runnable slot that scaling down may remove. @public */
export interface ScaleDownCandidate {
  readonly slot: number;
  /** The node its task is assigned to; `''` while unassigned. */
  readonly nodeId: string;
  /** Whether its task is observed running. */
  readonly running: boolean;
}

const NULL_GROUP = '\u0000';

/**
 * The value a spread preference (`node.labels.<key>`, `engine.labels.<key>`, or a node fact such
 * as `node.hostname`, `node.role`, `node.platform.os`) takes on `node`; undefined when the node
 * lacks it (such nodes form one group of their own, as in the scheduler).
 *
 * @public
 */
export function spreadValue(node: Node, descriptor: string): string | undefined {
  const lower = descriptor.toLowerCase();
  if (lower.startsWith('node.labels.')) return node.spec.labels?.[descriptor.slice('node.labels.'.length)];
  if (lower.startsWith('engine.labels.')) return node.description?.engine.labels?.[descriptor.slice('engine.labels.'.length)];
  const facts = nodeFacts(node);
  switch (lower) {
    case 'node.id':
      return facts.id;
    case 'node.hostname':
      return facts.hostname || undefined;
    case 'node.role':
      return facts.role;
    case 'node.platform.os':
      return facts.os || undefined;
    case 'node.platform.arch':
      return facts.arch || undefined;
    case 'node.ip':
      return facts.ip;
    default:
      return undefined;
  }
}

/** Not running first, then the highest slot number first (keeping slot numbers low). */
function removalOrder(a: ScaleDownCandidate, b: ScaleDownCandidate): number {
  return Number(a.running) - Number(b.running) || b.slot - a.slot;
}

interface Group {
  readonly key: string;
  readonly items: ScaleDownCandidate[];
  notRunning: number;
}

/**
 * How many of `r` removals each group takes so that the groups end as even as possible: the
 * fullest groups are cut down to a common level; the removals left over at that level go to the
 * groups with a not-running task left, then in key order.
 */
function allocate(groups: readonly Group[], r: number): number[] {
  let hi = 0;
  for (const g of groups) hi = Math.max(hi, g.items.length);
  const excess = (level: number): number => groups.reduce((sum, g) => sum + Math.max(0, g.items.length - level), 0);
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (excess(mid) <= r) hi = mid;
    else lo = mid + 1;
  }
  const level = lo;
  const take = groups.map((g) => Math.max(0, g.items.length - level));
  let extra = r - take.reduce((a, b) => a + b, 0);
  if (extra > 0) {
    const atLevel = groups
      .map((g, i) => ({ g, i }))
      .filter(({ g }) => g.items.length >= level && level > 0)
      .sort((a, b) => Number(b.g.notRunning > (take[b.i] ?? 0)) - Number(a.g.notRunning > (take[a.i] ?? 0)) || (a.g.key < b.g.key ? -1 : a.g.key > b.g.key ? 1 : 0));
    for (const { i } of atLevel) {
      if (extra === 0) break;
      take[i] = (take[i] ?? 0) + 1;
      extra--;
    }
  }
  return take;
}

/**
 * Chooses which `count` of `candidates` to remove when a replicated service scales down, so that
 * what stays is as balanced as the scheduler would have made it (going beyond SwarmKit, which
 * balances nodes only: moby/swarmkit#2320):
 *
 * 1. slots whose task is unassigned (or on a node that no longer exists) go first;
 * 2. then, level by level through the spread preferences (one level per preference, nodes
 *    lacking the label forming one group) and finally by node, removals go to the groups holding
 *    the most slots, cutting them down to a common level: the most loaded zone first, and within
 *    it the nodes with the most copies first;
 * 3. within a node, and to break ties, tasks that are not running go first, then the highest slot
 *    numbers.
 *
 * Deterministic; O(n log n).
 *
 * @public
 */
export function chooseSlotsToRemove(
  candidates: readonly ScaleDownCandidate[],
  count: number,
  preferences: readonly string[],
  nodeOf: (nodeId: string) => Node | undefined,
): number[] {
  if (count <= 0) return [];
  if (count >= candidates.length) return candidates.map((c) => c.slot);
  const loose: ScaleDownCandidate[] = [];
  const placed: ScaleDownCandidate[] = [];
  for (const c of candidates) (c.nodeId === '' || nodeOf(c.nodeId) === undefined ? loose : placed).push(c);
  loose.sort(removalOrder);
  const removed = loose.slice(0, count).map((c) => c.slot);
  const levels: ((c: ScaleDownCandidate) => string)[] = preferences.map((descriptor) => (c) => {
    const node = nodeOf(c.nodeId);
    return (node === undefined ? undefined : spreadValue(node, descriptor)) ?? NULL_GROUP;
  });
  levels.push((c) => c.nodeId);
  fill(placed, count - removed.length, 0, levels, removed);
  return removed;
}

function fill(items: readonly ScaleDownCandidate[], r: number, level: number, levels: readonly ((c: ScaleDownCandidate) => string)[], out: number[]): void {
  if (r <= 0) return;
  if (r >= items.length || level === levels.length) {
    const sorted = [...items].sort(removalOrder);
    for (let i = 0; i < r && i < sorted.length; i++) out.push((sorted[i] as ScaleDownCandidate).slot);
    return;
  }
  const keyOf = levels[level] as (c: ScaleDownCandidate) => string;
  const byKey = new Map<string, Group>();
  for (const c of items) {
    const key = keyOf(c);
    let g = byKey.get(key);
    if (g === undefined) byKey.set(key, (g = { key, items: [], notRunning: 0 }));
    g.items.push(c);
    if (!c.running) g.notRunning++;
  }
  const groups = [...byKey.values()];
  const take = allocate(groups, r);
  groups.forEach((g, i) => fill(g.items, take[i] ?? 0, level + 1, levels, out));
}
