import { describe, expect, it } from 'vitest';
import { explainFailures, MemoryFilter, AvailabilityFilter, noSuitableNode, planPlacements } from '../../src/scheduler/index.js';
import { GiB, node, task, tasks } from './support.js';

describe('why a task fits nowhere', () => {
  it('names every reason with its node count, the most nodes first, joined with "; "', () => {
    const nodes = [
      node('a', { memoryBytes: 1 * GiB }),
      node('b', { memoryBytes: 1 * GiB }),
      node('c', { memoryBytes: 1 * GiB }),
      node('d', { availability: 'drain' }),
      node('e', { availability: 'pause' }),
    ];
    const plan = planPlacements(nodes, [task('t1', 'web', { memoryBytes: 2 * GiB })]);
    expect(plan.placements).toEqual([]);
    expect(plan.unplaced).toHaveLength(1);
    expect(plan.unplaced[0]?.reason).toBe('no suitable node (insufficient memory on 3 nodes; 2 nodes not available for new tasks)');
  });

  it('uses the singular for one node and pipeline order between equal counts', () => {
    const nodes = [node('a', { state: 'down' }), node('b', { memoryBytes: GiB }), node('c', { labels: { zone: 'b' } })];
    const plan = planPlacements(nodes, [task('t1', 'web', { memoryBytes: 2 * GiB, placement: { constraints: ['node.labels.zone==a'] } })]);
    expect(plan.unplaced[0]?.reason).toBe(
      'no suitable node (1 node not ready; insufficient memory on 1 node; scheduling constraints not satisfied on 1 node)',
    );
  });

  it('counts each node once, for the first filter it fails', () => {
    // Drained and too small: counted as not available only.
    const plan = planPlacements([node('a', { availability: 'drain', memoryBytes: GiB })], [task('t1', 'web', { memoryBytes: 2 * GiB })]);
    expect(plan.unplaced[0]?.reason).toBe('no suitable node (1 node not available for new tasks)');
  });

  it('explains the tasks left over when a group fills every node, counting nodes that filled up', () => {
    const nodes = [node('a', { memoryBytes: 2 * GiB }), node('b', { memoryBytes: 2 * GiB }), node('c', { availability: 'pause' })];
    const plan = planPlacements(nodes, tasks(6, 'web', { memoryBytes: GiB }));
    expect(plan.placements).toHaveLength(4);
    expect(plan.unplaced.map((u) => u.task.id)).toEqual(['web-5', 'web-6']);
    expect(plan.unplaced[0]?.reason).toBe('no suitable node (insufficient memory on 2 nodes; 1 node not available for new tasks)');
  });

  it('says only "no suitable node" when there is no node at all', () => {
    expect(planPlacements([], [task('t1', 'web')]).unplaced[0]?.reason).toBe('no suitable node');
    expect(noSuitableNode('')).toBe('no suitable node');
  });

  it('formats from counts alone', () => {
    const filters = [new AvailabilityFilter(), new MemoryFilter()];
    expect(explainFailures(filters, [0, 0])).toBe('');
    expect(explainFailures(filters, [2, 3])).toBe('insufficient memory on 3 nodes; 2 nodes not available for new tasks');
    expect(explainFailures(filters, [1, 1])).toBe('1 node not available for new tasks; insufficient memory on 1 node');
  });
});
