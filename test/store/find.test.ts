import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/index.js';
import type { Task } from '../../src/api/index.js';
import { newStore, node, service, task } from './fixtures.js';

describe('find with selectors', () => {
  async function populated() {
    const { store } = newStore();
    await store.update((tx) => {
      tx.nodes.create(node('node-aa', 'alpha', { role: 'manager', labels: { zone: 'a', ssd: 'true' } }));
      tx.nodes.create(node('node-ab', 'beta', { labels: { zone: 'b' } }));
      tx.nodes.create(node('node-bc', 'gamma', { membership: 'pending' }));
      tx.services.create(service('svc-1', 'web', { tier: 'front' }));
      tx.services.create(service('svc-2', 'webhook', { tier: 'back' }));
      tx.services.create(service('svc-3', 'db'));
      tx.tasks.create(task('task-1', 'svc-1', 'node-aa', 1));
      tx.tasks.create(task('task-2', 'svc-1', 'node-ab', 2, 'pending'));
      tx.tasks.create(task('task-3', 'svc-2', 'node-aa', 1, 'failed', 'shutdown'));
      tx.tasks.create(task('task-4', 'svc-2', '', 2, 'new'));
      tx.tasks.create(task('task-5', 'svc-1', 'node-aa', 1, 'shutdown', 'shutdown'));
    });
    return store;
  }

  it.each([
    ['tasks by node', { kind: 'task', sel: { nodeId: 'node-aa' } }, ['task-1', 'task-3', 'task-5']],
    ['unassigned tasks', { kind: 'task', sel: { nodeId: '' } }, ['task-4']],
    ['tasks by service', { kind: 'task', sel: { serviceId: 'svc-2' } }, ['task-3', 'task-4']],
    ['tasks in a slot', { kind: 'task', sel: { serviceId: 'svc-1', slot: 1 } }, ['task-1', 'task-5']],
    ['tasks by desired state', { kind: 'task', sel: { desiredState: 'shutdown' } }, ['task-3', 'task-5']],
    ['tasks by state', { kind: 'task', sel: { state: 'pending' } }, ['task-2']],
    ['tasks by node and desired state', { kind: 'task', sel: { nodeId: 'node-aa', desiredState: 'running' } }, ['task-1']],
    ['tasks by id', { kind: 'task', sel: { id: 'task-2' } }, ['task-2']],
    ['tasks by id and a field that does not hold', { kind: 'task', sel: { id: 'task-2', nodeId: 'node-aa' } }, []],
    ['tasks by id prefix', { kind: 'task', sel: { idPrefix: 'task-' } }, ['task-1', 'task-2', 'task-3', 'task-4', 'task-5']],
    ['nodes by id prefix', { kind: 'node', sel: { idPrefix: 'node-a' } }, ['node-aa', 'node-ab']],
    ['nodes by role', { kind: 'node', sel: { role: 'manager' } }, ['node-aa']],
    ['nodes by membership', { kind: 'node', sel: { membership: 'pending' } }, ['node-bc']],
    ['nodes by label key', { kind: 'node', sel: { label: 'zone' } }, ['node-aa', 'node-ab']],
    ['nodes by label key=value', { kind: 'node', sel: { label: 'zone=b' } }, ['node-ab']],
    ['nodes by hostname', { kind: 'node', sel: { name: 'GAMMA' } }, ['node-bc']],
    ['services by name, case-insensitively', { kind: 'service', sel: { name: 'WEB' } }, ['svc-1']],
    ['services by name prefix', { kind: 'service', sel: { namePrefix: 'We' } }, ['svc-1', 'svc-2']],
    ['services by name prefix and label', { kind: 'service', sel: { namePrefix: 'web', label: 'tier=back' } }, ['svc-2']],
    ['everything with an empty selector', { kind: 'service', sel: {} }, ['svc-1', 'svc-2', 'svc-3']],
    ['nothing for an unknown key', { kind: 'task', sel: { nodeId: 'nope' } }, []],
  ] as const)('finds %s', async (_what, { kind, sel }, expected) => {
    const store = await populated();
    const found = store.view((tx) => tx.table(kind).find(sel as never));
    expect(found.map((o) => o.id).sort()).toEqual(expected);
    // Every result is the stored object itself.
    store.view((tx) => found.forEach((o) => expect(tx.table(kind).get(o.id)).toBe(o)));
  });

  it('refuses selector fields the kind does not have, and a slot without its service', async () => {
    const store = await populated();
    expect(() => store.view((tx) => tx.tasks.find({ name: 'x' } as never))).toThrow(ValidationError);
    expect(() => store.view((tx) => tx.services.find({ nodeId: 'x' } as never))).toThrow(ValidationError);
    expect(() => store.view((tx) => tx.tasks.find({ slot: 1 }))).toThrow(/needs serviceId/);
    expect(() => store.view((tx) => tx.tasks.find({ nodeId: 7 } as never))).toThrow(ValidationError);
  });

  it("reads only the node's own tasks to find them, not the whole table", async () => {
    const { store } = newStore();
    const reads = new Map<string, number>();
    /** A task whose status.state reads are counted (the store copies objects shallowly, so the getter stays). */
    const counted = (id: string, nodeId: string): Task => {
      const status = { timestamp: 0, message: '' };
      Object.defineProperty(status, 'state', {
        enumerable: true,
        get: () => {
          reads.set(id, (reads.get(id) ?? 0) + 1);
          return 'running';
        },
      });
      return { ...task(id, 'svc', nodeId, 1), status } as unknown as Task;
    };
    await store.batch((b) => {
      for (let i = 0; i < 2000; i++) void b.update((tx) => tx.tasks.create(counted(`t${i}`, `n${i % 100}`)));
    });
    reads.clear();
    // Both fields are indexed; the store must walk the small bucket (node) and filter by state.
    const mine = store.view((tx) => tx.tasks.find({ state: 'running', nodeId: 'n7' }));
    expect(mine).toHaveLength(20);
    expect(reads.size).toBe(20);
    expect([...reads.keys()].every((id) => Number(id.slice(1)) % 100 === 7)).toBe(true);
  });

  it('returns frozen arrays', async () => {
    const store = await populated();
    const all = store.view((tx) => tx.tasks.all());
    expect(Object.isFrozen(all)).toBe(true);
  });
});
