import { describe, expect, it } from 'vitest';
import { NodeSet, placeTasks, planPlacements, MAX_RECENT_FAILURES, FAILURE_WINDOW_MS } from '../../src/scheduler/index.js';
import { countBy, node, running, tasks } from './support.js';

describe('spread (the default strategy)', () => {
  it('spreads a service evenly over the nodes', () => {
    const nodes = ['a', 'b', 'c'].map((id) => node(id));
    const plan = planPlacements(nodes, tasks(9, 'web'));
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('prefers the node with the fewest tasks of the service, even if it has more tasks overall', () => {
    const nodes = [node('a'), node('b')];
    const existing = [
      running('w1', 'web', 'a'),
      running('o1', 'other', 'b'),
      running('o2', 'other', 'b'),
      running('o3', 'other', 'b'),
    ];
    const plan = planPlacements(nodes, tasks(1, 'web'), { existing });
    expect(plan.placements[0]?.nodeId).toBe('b');
  });

  it('breaks ties on the service count by the fewest tasks overall', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const existing = [running('o1', 'other', 'a'), running('o2', 'other', 'a'), running('o3', 'other', 'c')];
    const plan = planPlacements(nodes, tasks(3, 'web'), { existing });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(['b', 'c', 'a']);
  });

  it('fills the emptier nodes first, then goes round', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const existing = [running('w1', 'web', 'a'), running('w2', 'web', 'a'), running('w3', 'web', 'b')];
    const plan = planPlacements(nodes, tasks(6, 'web', {}, 'new'), { existing });
    // Final counts even out at 3 per node.
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ a: 1, b: 2, c: 3 });
    expect(plan.placements[0]?.nodeId).toBe('c');
  });

  it('ignores tasks being shut down when counting (they still hold their reservations)', () => {
    const nodes = [node('a'), node('b')];
    const existing = [running('w1', 'web', 'a', { desired: 'shutdown' }), running('w2', 'web', 'a', { desired: 'remove' }), running('w3', 'web', 'b')];
    const plan = planPlacements(nodes, tasks(1, 'web', {}, 'new'), { existing });
    expect(plan.placements[0]?.nodeId).toBe('a');
  });

  it('puts nodes with 5 recent failures of this service version last, and forgets them after 5 minutes', () => {
    const now = 10 * 60_000;
    const set = NodeSet.from([node('a'), node('b')], [running('w1', 'web', 'b'), running('w2', 'web', 'b')]);
    const a = set.get('a');
    for (let i = 0; i < MAX_RECENT_FAILURES - 1; i++) a?.taskFailed('web', 1, now - 1000);
    // 4 failures: not yet penalised, so the emptier node a wins.
    expect(placeTasks(NodeSet.from([node('a'), node('b')], [running('w1', 'web', 'b')]), tasks(1, 'web'), { now }).placements[0]?.nodeId).toBe('a');
    a?.taskFailed('web', 1, now - 1000);
    expect(a?.recentFailures('web', 1, now)).toBe(5);
    let plan = placeTasks(set, tasks(1, 'web'), { now });
    expect(plan.placements[0]?.nodeId).toBe('b');
    // Another spec version of the service is not penalised.
    const set2 = NodeSet.from([node('a'), node('b')], [running('w1', 'web', 'b')]);
    for (let i = 0; i < 5; i++) set2.get('a')?.taskFailed('web', 1, now);
    plan = placeTasks(set2, tasks(1, 'web', { specVersion: 2 }), { now });
    expect(plan.placements[0]?.nodeId).toBe('a');
    // Five minutes later the failures no longer count.
    const later = now + FAILURE_WINDOW_MS;
    expect(set2.get('a')?.recentFailures('web', 1, later)).toBe(0);
    const set3 = NodeSet.from([node('a'), node('b')], [running('w1', 'web', 'b')]);
    for (let i = 0; i < 5; i++) set3.get('a')?.taskFailed('web', 1, now);
    expect(placeTasks(set3, tasks(1, 'web'), { now: later }).placements[0]?.nodeId).toBe('a');
  });

  it('still uses a penalised node when it is the only one left', () => {
    const set = NodeSet.from([node('a')]);
    for (let i = 0; i < 6; i++) set.get('a')?.taskFailed('web', 1, 0);
    expect(placeTasks(set, tasks(2, 'web'), { now: 1 }).placements.map((p) => p.nodeId)).toEqual(['a', 'a']);
  });
});
