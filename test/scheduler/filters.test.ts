import { describe, expect, it } from 'vitest';
import {
  AvailabilityFilter,
  ConstraintFilter,
  CpuFilter,
  GenericResourceFilter,
  HostPortFilter,
  MaxReplicasFilter,
  MemoryFilter,
  NodeInfo,
  PlatformFilter,
  ReadyFilter,
  defaultFilters,
} from '../../src/scheduler/index.js';
import { CPU, GiB, MiB, node, running, task } from './support.js';

const info = (...args: Parameters<typeof node>) => new NodeInfo(args[0], node(...args));

describe('filters', () => {
  it('ready: only nodes whose status is ready', () => {
    const f = new ReadyFilter();
    expect(f.setTask(task('t', 's'))).toBe(true);
    expect(f.check(info('a'))).toBe(true);
    expect(f.check(info('b', { state: 'down' }))).toBe(false);
    expect(f.check(info('c', { state: 'disconnected' }))).toBe(false);
    expect(f.check(new NodeInfo('gone'))).toBe(false);
    expect(f.explain(1)).toBe('1 node not ready');
    expect(f.explain(2)).toBe('2 nodes not ready');
  });

  it('availability: only active nodes, not paused or drained ones', () => {
    const f = new AvailabilityFilter();
    expect(f.setTask(task('t', 's'))).toBe(true);
    expect(f.check(info('a'))).toBe(true);
    expect(f.check(info('b', { availability: 'pause' }))).toBe(false);
    expect(f.check(info('c', { availability: 'drain' }))).toBe(false);
    expect(f.explain(1)).toBe('1 node not available for new tasks');
    expect(f.explain(2)).toBe('2 nodes not available for new tasks');
  });

  it('cpu and memory: reservations against capacity minus what held tasks reserve', () => {
    const n = info('a', { nanoCpus: 2 * CPU, memoryBytes: 1 * GiB });
    n.addTask(running('r1', 'other', 'a', { nanoCpus: 1.5 * CPU, memoryBytes: 768 * MiB }));
    const cpu = new CpuFilter();
    const mem = new MemoryFilter();
    expect(cpu.setTask(task('t', 's'))).toBe(false); // no reservation: filter off
    expect(mem.setTask(task('t', 's'))).toBe(false);
    expect(cpu.setTask(task('t', 's', { nanoCpus: 0.5 * CPU }))).toBe(true);
    expect(cpu.check(n)).toBe(true);
    expect(cpu.setTask(task('t', 's', { nanoCpus: 0.6 * CPU }))).toBe(true);
    expect(cpu.check(n)).toBe(false);
    expect(mem.setTask(task('t', 's', { memoryBytes: 256 * MiB }))).toBe(true);
    expect(mem.check(n)).toBe(true);
    expect(mem.setTask(task('t', 's', { memoryBytes: 257 * MiB }))).toBe(true);
    expect(mem.check(n)).toBe(false);
    n.removeTask('r1');
    expect(mem.check(n)).toBe(true);
    expect(cpu.explain(1)).toBe('insufficient CPU on 1 node');
    expect(mem.explain(3)).toBe('insufficient memory on 3 nodes');
  });

  it('generic resources: counts from discrete and named units, named units by name', () => {
    const n = info('a', { generic: [{ kind: 'gpu', namedValue: 'GPU-1' }, { kind: 'gpu', namedValue: 'GPU-0' }, { kind: 'ssd', discreteValue: 2 }] });
    const f = new GenericResourceFilter();
    expect(f.setTask(task('t', 's'))).toBe(false);
    expect(f.setTask(task('t', 's', { generic: [{ kind: 'gpu', discreteValue: 2 }] }))).toBe(true);
    expect(f.check(n)).toBe(true);
    expect(n.chooseGeneric([{ kind: 'gpu', discreteValue: 1 }])).toEqual([{ kind: 'gpu', value: 'GPU-0' }]);
    n.addTask(running('r1', 'x', 'a', { generic: [{ kind: 'gpu', discreteValue: 1 }] }));
    expect(n.genericAvailable('gpu')).toBe(1);
    expect(f.check(n)).toBe(false);
    expect(f.setTask(task('t', 's', { generic: [{ kind: 'gpu', namedValue: 'GPU-1' }] }))).toBe(true);
    expect(f.check(n)).toBe(true);
    expect(f.setTask(task('t', 's', { generic: [{ kind: 'gpu', namedValue: 'GPU-0' }] }))).toBe(true);
    expect(f.check(n)).toBe(false); // taken by r1
    expect(f.setTask(task('t', 's', { generic: [{ kind: 'ssd', discreteValue: 3 }] }))).toBe(true);
    expect(f.check(n)).toBe(false);
    expect(f.setTask(task('t', 's', { generic: [{ kind: 'fpga', discreteValue: 1 }] }))).toBe(true);
    expect(f.check(n)).toBe(false);
    n.removeTask('r1');
    expect(n.genericAvailable('gpu')).toBe(2);
    expect(f.explain(2)).toBe('insufficient generic resources on 2 nodes');
  });

  it('constraints: node facts and labels; a constraint that no longer parses matches nothing', () => {
    const f = new ConstraintFilter();
    expect(f.setTask(task('t', 's'))).toBe(false);
    expect(f.setTask(task('t', 's', { placement: { constraints: ['node.labels.zone==a', 'node.role!=manager'] } }))).toBe(true);
    expect(f.check(info('a', { labels: { zone: 'a' } }))).toBe(true);
    expect(f.check(info('b', { labels: { zone: 'b' } }))).toBe(false);
    expect(f.check(info('c', { labels: { zone: 'a' }, role: 'manager' }))).toBe(false);
    expect(f.check(info('d'))).toBe(false);
    expect(f.setTask(task('t', 's', { placement: { constraints: ['node.labels.zone=a'] } }))).toBe(true);
    expect(f.check(info('a', { labels: { zone: 'a' } }))).toBe(false);
    expect(f.explain(1)).toBe('scheduling constraints not satisfied on 1 node');
  });

  it('platform: os and normalised architecture, empty fields match any', () => {
    const f = new PlatformFilter();
    expect(f.setTask(task('t', 's'))).toBe(false);
    expect(f.setTask(task('t', 's', { placement: { platforms: [{ os: 'linux', architecture: 'amd64' }] } }))).toBe(true);
    expect(f.check(info('a', { arch: 'x86_64' }))).toBe(true);
    expect(f.check(info('b', { arch: 'aarch64' }))).toBe(false);
    expect(f.check(info('c', { os: 'windows', arch: 'x86_64' }))).toBe(false);
    expect(f.check(info('d', { described: false }))).toBe(false);
    expect(f.setTask(task('t', 's', { placement: { platforms: [{ architecture: 'aarch64' }, { os: 'Windows' }] } }))).toBe(true);
    expect(f.check(info('b', { arch: 'arm64' }))).toBe(true);
    expect(f.check(info('c', { os: 'windows', arch: 'x86_64' }))).toBe(true);
    expect(f.check(info('a', { arch: 'x86_64' }))).toBe(false);
    expect(f.explain(4)).toBe('unsupported platform on 4 nodes');
  });

  it('max replicas: fewer active tasks of the service than the limit', () => {
    const f = new MaxReplicasFilter();
    expect(f.setTask(task('t', 's'))).toBe(false);
    expect(f.setTask(task('t', 's', { placement: { maxReplicas: 2 } }))).toBe(true);
    const n = info('a');
    n.addTask(running('r1', 's', 'a'));
    n.addTask(running('o1', 'other', 'a'));
    expect(f.check(n)).toBe(true);
    n.addTask(running('r2', 's', 'a'));
    expect(f.check(n)).toBe(false);
    // A task being shut down still holds resources but no longer counts.
    n.addTask(running('r2', 's', 'a', { desired: 'shutdown' }));
    expect(f.check(n)).toBe(true);
    expect(f.explain(1)).toBe('max replicas per node reached on 1 node');
  });

  it('host ports: host-mode published ports already bound on the node, by protocol', () => {
    const f = new HostPortFilter();
    expect(f.setTask(task('t', 's', { ports: [{ targetPort: 80, publishedPort: 8080 }] }))).toBe(false); // ingress
    expect(f.setTask(task('t', 's', { ports: [{ targetPort: 80, publishMode: 'host' }] }))).toBe(false); // engine picks
    expect(f.setTask(task('t', 's', { ports: [{ targetPort: 80, publishedPort: 8080, publishMode: 'host' }] }))).toBe(true);
    const n = info('a');
    expect(f.check(n)).toBe(true);
    n.addTask(running('r1', 'other', 'a', { ports: [{ targetPort: 53, publishedPort: 8080, protocol: 'udp', publishMode: 'host' }] }));
    expect(f.check(n)).toBe(true);
    n.addTask(running('r2', 'other', 'a', { ports: [{ targetPort: 9, publishedPort: 8080, publishMode: 'host' }] }));
    expect(n.usedHostPorts).toEqual(new Set(['udp/8080', 'tcp/8080']));
    expect(f.check(n)).toBe(false);
    n.removeTask('r2');
    expect(f.check(n)).toBe(true);
    expect(f.explain(2)).toBe('host-mode port already in use on 2 nodes');
  });

  it('runs in pipeline order: ready, availability, resources, constraints, platform, max replicas, host ports', () => {
    expect(defaultFilters().map((f) => f.name)).toEqual([
      'ready',
      'availability',
      'cpu',
      'memory',
      'generic-resources',
      'constraints',
      'platform',
      'max-replicas',
      'host-ports',
    ]);
  });
});
