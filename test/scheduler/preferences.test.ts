import { describe, expect, it } from 'vitest';
import { planPlacements, spreadValue, NodeInfo } from '../../src/scheduler/index.js';
import { countBy, node, running, tasks } from './support.js';

const zoneOf = (nodes: ReturnType<typeof node>[]) => {
  const m = new Map(nodes.map((n) => [n.id, n.spec.labels?.zone ?? 'none']));
  return (id: string) => m.get(id) as string;
};

describe('placement preferences (spread over label values)', () => {
  it('splits 4 replicas 2/2 over two zones when zone A has 3 nodes and zone B has 1', () => {
    const nodes = [node('a1', { labels: { zone: 'A' } }), node('a2', { labels: { zone: 'A' } }), node('a3', { labels: { zone: 'A' } }), node('b1', { labels: { zone: 'B' } })];
    const plan = planPlacements(nodes, tasks(4, 'web', { placement: { preferences: [{ spread: 'node.labels.zone' }] } }));
    const zone = zoneOf(nodes);
    expect(countBy(plan.placements, (p) => zone(p.nodeId))).toEqual({ A: 2, B: 2 });
    // Within zone A the strategy spreads over nodes.
    expect(new Set(plan.placements.filter((p) => zone(p.nodeId) === 'A').map((p) => p.nodeId)).size).toBe(2);
  });

  it('without the preference the same 4 replicas follow the nodes, 3/1', () => {
    const nodes = [node('a1', { labels: { zone: 'A' } }), node('a2', { labels: { zone: 'A' } }), node('a3', { labels: { zone: 'A' } }), node('b1', { labels: { zone: 'B' } })];
    const plan = planPlacements(nodes, tasks(4, 'web'));
    expect(countBy(plan.placements, (p) => zoneOf(nodes)(p.nodeId))).toEqual({ A: 3, B: 1 });
  });

  it('puts nodes missing the label in a null branch that gets an equal share', () => {
    const nodes = [node('a1', { labels: { zone: 'A' } }), node('b1', { labels: { zone: 'B' } }), node('n1'), node('n2')];
    const plan = planPlacements(nodes, tasks(6, 'web', { placement: { preferences: [{ spread: 'node.labels.zone' }] } }));
    expect(countBy(plan.placements, (p) => zoneOf(nodes)(p.nodeId))).toEqual({ A: 2, B: 2, none: 2 });
  });

  it('fills the branch with the fewest tasks of the service first, counting tasks already running', () => {
    const nodes = [node('a1', { labels: { zone: 'A' } }), node('a2', { labels: { zone: 'A' } }), node('b1', { labels: { zone: 'B' } })];
    const existing = [running('w1', 'web', 'a1'), running('w2', 'web', 'a2'), running('w3', 'web', 'a1')];
    const plan = planPlacements(nodes, tasks(3, 'web', { placement: { preferences: [{ spread: 'node.labels.zone' }] } }, 'new'), { existing });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(['b1', 'b1', 'b1']);
  });

  it('spreads level by level over nested preferences (datacenter, then rack)', () => {
    const nodes = [
      node('d1r1a', { labels: { dc: '1', rack: '1' } }),
      node('d1r1b', { labels: { dc: '1', rack: '1' } }),
      node('d1r2a', { labels: { dc: '1', rack: '2' } }),
      node('d2r1a', { labels: { dc: '2', rack: '1' } }),
    ];
    const prefs = { preferences: [{ spread: 'node.labels.dc' }, { spread: 'node.labels.rack' }] };
    const plan = planPlacements(nodes, tasks(4, 'web', { placement: prefs }));
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ d1r1a: 1, d1r2a: 1, d2r1a: 2 });
  });

  it('moves on to other branches when one fills up', () => {
    const nodes = [node('a1', { labels: { zone: 'A' }, memoryBytes: 2 * 2 ** 30 }), node('b1', { labels: { zone: 'B' } })];
    const plan = planPlacements(nodes, tasks(6, 'web', { memoryBytes: 2 ** 30, placement: { preferences: [{ spread: 'node.labels.zone' }] } }));
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ a1: 2, b1: 4 });
    expect(plan.unplaced).toEqual([]);
  });

  it('reads node labels and engine labels', () => {
    const n = new NodeInfo('x', node('x', { labels: { zone: 'A' }, engineLabels: { az: 'eu-1' } }));
    expect(spreadValue(n, 'node.labels.zone')).toBe('A');
    expect(spreadValue(n, 'Engine.Labels.az')).toBe('eu-1');
    expect(spreadValue(n, 'node.labels.rack')).toBeUndefined();
    expect(spreadValue(n, 'node.hostname')).toBeUndefined();
  });
});
