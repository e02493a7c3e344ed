import type { RestartPolicy, Service, Task, TaskState } from '../../../src/api/index.js';
import { addNodes, createService, flush, report, tasksOf, type Harness } from './harness.js';

/** A one-replica service with `policy`, its first task running on node n1, orchestrator started. */
export async function oneRunningTask(
  h: Harness,
  policy: RestartPolicy = {},
  extra: { name?: string; replicas?: number } = {},
): Promise<{ service: Service; task: Task }> {
  if (h.store.view((tx) => tx.nodes.get('n1')) === undefined) await addNodes(h.store, ['n1', 'n2']);
  const service = await createService(h.store, { name: extra.name ?? 'web', mode: { replicated: { replicas: extra.replicas ?? 1 } }, task: { restartPolicy: policy } });
  h.orchestrator.start();
  await flush();
  const task = tasksOf(h.store, service.id).find((t) => t.slot === 1);
  if (task === undefined) throw new Error('no task created');
  await report(h.store, h.clock, task.id, 'running', { nodeId: 'n1' });
  await flush();
  return { service, task: get(h, task.id) };
}

export function get(h: Harness, id: string): Task {
  return h.store.view((tx) => tx.tasks.getOrThrow(id));
}

/** The tasks of slot 1 (or `slot`), oldest first. */
export function slotHistory(h: Harness, serviceId: string, slot = 1): Task[] {
  return tasksOf(h.store, serviceId)
    .filter((t) => t.slot === slot)
    .sort((a, b) => a.meta.createdAt - b.meta.createdAt || (a.meta.version - b.meta.version));
}

/** The newest task of the slot. */
export function newest(h: Harness, serviceId: string, slot = 1): Task {
  const all = slotHistory(h, serviceId, slot);
  return all[all.length - 1] as Task;
}

/** Ends `taskId` in `state` (as its agent reports) and lets the orchestrator react. */
export async function end(h: Harness, taskId: string, state: TaskState = 'failed'): Promise<void> {
  await report(h.store, h.clock, taskId, state);
  await flush();
}

/** Runs the replacement `taskId` on n1 once it is wanted running; returns it. */
export async function start(h: Harness, taskId: string, nodeId = 'n1'): Promise<Task> {
  await report(h.store, h.clock, taskId, 'running', { nodeId });
  await flush();
  return get(h, taskId);
}

/** Advances virtual time by `ms`, letting the loops run after each timer. */
export async function advance(h: Harness, ms: number): Promise<void> {
  await h.clock.advanceAsync(ms);
  await flush();
}
