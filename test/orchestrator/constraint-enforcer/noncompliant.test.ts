import { describe, expect, it } from 'vitest';
import type { GenericResource, Node, Service, Task, TaskState } from '../../../src/api/index.js';
import { findNoncompliantTasks, isEnforceable } from '../../../src/orchestrator/constraint-enforcer/index.js';

function node(fields: { labels?: Record<string, string>; cpus?: number; memory?: number; availability?: 'active' | 'pause' | 'drain'; described?: boolean; generic?: readonly GenericResource[] } = {}): Node {
  const resources = { nanoCpus: (fields.cpus ?? 4) * 1e9, memoryBytes: fields.memory ?? 8 * 2 ** 30, ...(fields.generic ? { generic: fields.generic } : {}) };
  return {
    id: 'n1',
    meta: { version: 1, createdAt: 0, updatedAt: 0 },
    spec: { role: 'worker', membership: 'accepted', availability: fields.availability ?? 'active', labels: fields.labels ?? {} },
    role: 'worker',
    ...(fields.described === false ? {} : { description: { hostname: 'n1', platform: { os: 'linux', architecture: 'x86_64' }, resources, engine: { version: '27' } } }),
    status: { state: 'ready' },
  };
}

let seq = 0;
function task(fields: { cpus?: number; constraints?: string[]; state?: TaskState; desired?: TaskState; serviceId?: string; createdAt?: number; generic?: Task['assignedGenericResources'] } = {}): Task {
  seq++;
  return {
    id: `t${String(seq).padStart(3, '0')}`,
    meta: { version: 1, createdAt: fields.createdAt ?? seq, updatedAt: 0 },
    serviceId: fields.serviceId ?? 'gone',
    slot: seq,
    nodeId: 'n1',
    spec: {
      container: { image: 'app:1' },
      ...(fields.cpus !== undefined ? { resources: { reservations: { nanoCpus: fields.cpus * 1e9 } } } : {}),
      ...(fields.constraints ? { placement: { constraints: fields.constraints } } : {}),
    },
    specVersion: 1,
    serviceName: 'web',
    status: { state: fields.state ?? 'running', timestamp: 0, message: '' },
    desiredState: fields.desired ?? 'running',
    ...(fields.generic ? { assignedGenericResources: fields.generic } : {}),
  };
}

const noServices = (): Service | undefined => undefined;

describe('findNoncompliantTasks', () => {
  it('flags tasks whose constraints the node no longer matches', () => {
    const zoned = task({ constraints: ['node.labels.zone==a'] });
    const free = task();
    expect(findNoncompliantTasks(node({ labels: { zone: 'a' } }), [zoned, free], noServices)).toEqual([]);
    expect(findNoncompliantTasks(node({ labels: {} }), [zoned, free], noServices)).toEqual([{ task: zoned, reason: 'constraints' }]);
  });

  it("uses the service's current constraints over the task's own", () => {
    const t = task({ serviceId: 'svc', constraints: ['node.labels.zone==a'] });
    const svc: Service = { id: 'svc', meta: { version: 1, createdAt: 0, updatedAt: 0 }, specVersion: 2, spec: { name: 'web', task: { container: { image: 'app:1' }, placement: { constraints: ['node.labels.zone==b'] } } } };
    expect(findNoncompliantTasks(node({ labels: { zone: 'a' } }), [t], (id) => (id === 'svc' ? svc : undefined))).toEqual([{ task: t, reason: 'constraints' }]);
    expect(findNoncompliantTasks(node({ labels: { zone: 'b' } }), [t], (id) => (id === 'svc' ? svc : undefined))).toEqual([]);
  });

  it('keeps the oldest tasks that fit the capacity and flags the newest', () => {
    const tasks = [task({ cpus: 1, createdAt: 30 }), task({ cpus: 1, createdAt: 10 }), task({ cpus: 1, createdAt: 20 })];
    const flagged = findNoncompliantTasks(node({ cpus: 2 }), tasks, noServices);
    expect(flagged).toEqual([{ task: tasks[0], reason: 'resources' }]);
    expect(findNoncompliantTasks(node({ cpus: 3 }), tasks, noServices)).toEqual([]);
  });

  it('checks memory too, and does not count a task rejected for its constraints against the capacity', () => {
    const misplaced = { ...task({ constraints: ['node.labels.zone==a'], createdAt: 1 }), spec: { container: { image: 'x' }, placement: { constraints: ['node.labels.zone==a'] }, resources: { reservations: { memoryBytes: 4 * 2 ** 30 } } } };
    const big = { ...task({ createdAt: 2 }), spec: { container: { image: 'x' }, resources: { reservations: { memoryBytes: 4 * 2 ** 30 } } } };
    expect(findNoncompliantTasks(node({ memory: 4 * 2 ** 30 }), [misplaced, big], noServices)).toEqual([{ task: misplaced, reason: 'constraints' }]);
    expect(findNoncompliantTasks(node({ memory: 2 * 2 ** 30, labels: { zone: 'a' } }), [misplaced, big], noServices).map((f) => f.reason)).toEqual(['resources', 'resources']);
  });

  it('checks the generic resources assigned to a task', () => {
    const gpu0 = task({ generic: [{ kind: 'gpu', value: 'uuid-0' }] });
    const twoSsd = task({ generic: [{ kind: 'ssd', value: 2 }] });
    const full = node({ generic: [{ kind: 'gpu', namedValue: 'uuid-0' }, { kind: 'ssd', discreteValue: 2 }] });
    expect(findNoncompliantTasks(full, [gpu0, twoSsd], noServices)).toEqual([]);
    const shrunk = node({ generic: [{ kind: 'gpu', namedValue: 'uuid-1' }, { kind: 'ssd', discreteValue: 1 }] });
    expect(findNoncompliantTasks(shrunk, [gpu0, twoSsd], noServices).map((f) => f.task)).toEqual([gpu0, twoSsd]);
  });

  it('judges only active nodes', () => {
    const t = task({ constraints: ['node.labels.zone==a'] });
    expect(findNoncompliantTasks(node({ availability: 'pause' }), [t], noServices)).toEqual([]);
    expect(findNoncompliantTasks(node({ availability: 'drain' }), [t], noServices)).toEqual([]);
  });

  it('does not judge resources of a node that has not described itself', () => {
    expect(findNoncompliantTasks(node({ described: false }), [task({ cpus: 64 })], noServices)).toEqual([]);
  });

  it('leaves alone tasks that ended, have not reached the node, or are being shut down', () => {
    const t = (state: TaskState, desired: TaskState = 'running'): Task => task({ constraints: ['node.labels.zone==a'], state, desired });
    const candidates = [t('pending'), t('failed'), t('shutdown', 'shutdown'), t('running', 'shutdown'), t('assigned'), t('starting', 'ready')];
    expect(candidates.map(isEnforceable)).toEqual([false, false, false, false, true, true]);
    expect(findNoncompliantTasks(node(), candidates, noServices).map((f) => f.task)).toEqual(candidates.slice(4));
  });

  it("judges a job's running task (desired complete) like a service's, as SwarmKit does", () => {
    const job = task({ constraints: ['node.labels.zone==a'], state: 'running', desired: 'complete' });
    expect(isEnforceable(job)).toBe(true);
    expect(findNoncompliantTasks(node({ labels: {} }), [job], noServices)).toEqual([{ task: job, reason: 'constraints' }]);
  });
});
