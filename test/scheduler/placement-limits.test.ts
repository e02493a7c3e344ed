import { describe, expect, it } from 'vitest';
import { planPlacements } from '../../src/scheduler/index.js';
import { countBy, CPU, GiB, node, running, task, tasks } from './support.js';

describe('placement limits', () => {
  it('binpack fills the fullest node that fits before starting the next', () => {
    const nodes = [node('a', { nanoCpus: 4 * CPU, memoryBytes: 4 * GiB }), node('b', { nanoCpus: 4 * CPU, memoryBytes: 4 * GiB }), node('c', { nanoCpus: 4 * CPU, memoryBytes: 4 * GiB })];
    const existing = [running('o1', 'other', 'b', { memoryBytes: 1 * GiB })];
    const plan = planPlacements(nodes, tasks(6, 'web', { memoryBytes: GiB }), { strategy: 'binpack', existing });
    // b was the most used: it is filled first (3 more GiB), then a, by id among empty equals.
    expect(plan.placements.map((p) => p.nodeId)).toEqual(['b', 'b', 'b', 'a', 'a', 'a']);
    const spread = planPlacements(nodes, tasks(6, 'web', { memoryBytes: GiB }), { existing });
    expect(countBy(spread.placements, (p) => p.nodeId)).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('binpack ranks by the larger of the CPU and memory fractions', () => {
    const nodes = [node('a', { nanoCpus: 4 * CPU, memoryBytes: 4 * GiB }), node('b', { nanoCpus: 4 * CPU, memoryBytes: 4 * GiB })];
    const existing = [running('o1', 'x', 'a', { memoryBytes: 1 * GiB }), running('o2', 'x', 'b', { nanoCpus: 2 * CPU })];
    const plan = planPlacements(nodes, tasks(1, 'web', { nanoCpus: 0.1 * CPU }), { strategy: 'binpack', existing });
    expect(plan.placements[0]?.nodeId).toBe('b');
  });

  it('maxReplicas caps the tasks of a service per node; the rest wait with the reason', () => {
    const nodes = [node('a'), node('b')];
    const plan = planPlacements(nodes, tasks(5, 'web', { placement: { maxReplicas: 2 } }), { existing: [running('w0', 'web', 'a')] });
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ a: 1, b: 2 });
    expect(plan.unplaced).toHaveLength(2);
    expect(plan.unplaced[0]?.reason).toBe('no suitable node (max replicas per node reached on 2 nodes)');
  });

  it('maxReplicas holds under binpack too', () => {
    const plan = planPlacements([node('a'), node('b')], tasks(4, 'web', { placement: { maxReplicas: 2 } }), { strategy: 'binpack' });
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ a: 2, b: 2 });
  });

  it('a host-mode port can be bound once per node', () => {
    const ports = [{ targetPort: 80, publishedPort: 8080, publishMode: 'host' as const }];
    const nodes = [node('a'), node('b'), node('c')];
    const existing = [running('x1', 'other', 'c', { ports })];
    const plan = planPlacements(nodes, tasks(3, 'web', { ports }), { existing });
    expect(plan.placements.map((p) => p.nodeId).sort()).toEqual(['a', 'b']);
    expect(plan.unplaced[0]?.reason).toBe('no suitable node (host-mode port already in use on 3 nodes)');
  });

  it('ingress ports never conflict', () => {
    const ports = [{ targetPort: 80, publishedPort: 8080 }];
    const plan = planPlacements([node('a')], tasks(3, 'web', { ports }));
    expect(plan.placements).toHaveLength(3);
  });

  it('platforms select matching nodes only', () => {
    const nodes = [node('x86', { arch: 'x86_64' }), node('arm', { arch: 'aarch64' }), node('win', { os: 'windows', arch: 'amd64' })];
    const plan = planPlacements(nodes, tasks(2, 'web', { placement: { platforms: [{ os: 'linux', architecture: 'arm64' }] } }));
    expect(plan.placements.map((p) => p.nodeId)).toEqual(['arm', 'arm']);
    const none = planPlacements(nodes, [task('t', 'web', { placement: { platforms: [{ os: 'linux', architecture: 's390x' }] } })]);
    expect(none.unplaced[0]?.reason).toBe('no suitable node (unsupported platform on 3 nodes)');
  });

  it('gives tasks named generic resources and never the same unit twice', () => {
    const nodes = [node('g', { generic: [{ kind: 'gpu', namedValue: 'GPU-0' }, { kind: 'gpu', namedValue: 'GPU-1' }, { kind: 'gpu', namedValue: 'GPU-2' }] })];
    const plan = planPlacements(nodes, tasks(3, 'ml', { generic: [{ kind: 'gpu', discreteValue: 1 }] }), {
      existing: [running('r', 'other', 'g', { generic: [{ kind: 'gpu', discreteValue: 1 }] })],
    });
    expect(plan.placements.map((p) => p.genericResources)).toEqual([[{ kind: 'gpu', value: 'GPU-1' }], [{ kind: 'gpu', value: 'GPU-2' }]]);
    expect(plan.unplaced[0]?.reason).toBe('no suitable node (insufficient generic resources on 1 node)');
  });

  it('constraints limit the candidates before the strategy chooses', () => {
    const nodes = [node('a', { labels: { tier: 'gold' } }), node('b'), node('c', { labels: { tier: 'gold' } })];
    const plan = planPlacements(nodes, tasks(4, 'web', { placement: { constraints: ['node.labels.tier==gold'] } }));
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ a: 2, c: 2 });
  });
});
