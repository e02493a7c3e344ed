import { taskStateOrder } from '../api/index.js';
import type { Store } from '../store/index.js';

const ASSIGNED = taskStateOrder('assigned');
const RUNNING = taskStateOrder('running');

/** Most tasks orphaned per store transaction. @internal */
export const ORPHAN_BATCH_SIZE = 10_000;

/**
 * Marks `orphaned` every task of `nodeId` in `assigned` … `running`, provided the node is still
 * down, so the scheduler frees their resources (SwarmKit's `moveTasksToOrphaned`). Checks each
 * task again inside the write. Resolves with the number of tasks changed.
 *
 * @internal
 */
export async function orphanTasks(store: Store, nodeId: string, message: string, now: number): Promise<number> {
  const ids = store.view((tx) => {
    if (tx.nodes.get(nodeId)?.status.state !== 'down') return [];
    return tx.tasks
      .find({ nodeId })
      .filter((t) => {
        const order = taskStateOrder(t.status.state);
        return order >= ASSIGNED && order <= RUNNING;
      })
      .map((t) => t.id);
  });
  let changed = 0;
  for (let i = 0; i < ids.length; i += ORPHAN_BATCH_SIZE) {
    const chunk = ids.slice(i, i + ORPHAN_BATCH_SIZE);
    changed += await store.update((tx) => {
      if (tx.nodes.get(nodeId)?.status.state !== 'down') return 0;
      let n = 0;
      for (const id of chunk) {
        const task = tx.tasks.get(id);
        if (task === undefined || task.nodeId !== nodeId) continue;
        const order = taskStateOrder(task.status.state);
        if (order < ASSIGNED || order > RUNNING) continue;
        tx.tasks.update(id, (d) => {
          d.status = { state: 'orphaned', timestamp: now, message };
        });
        n++;
      }
      return n;
    });
  }
  return changed;
}
