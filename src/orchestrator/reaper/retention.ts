import { DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER_SETTINGS, isJob, taskStateOrder } from '../../api/index.js';
import type { ClusterObject, Service, Task } from '../../api/index.js';
import { backoffSteps, resolveRestartPolicy } from '../restart/policy.js';
import { hasEnded, hasStopped, isAlive, jobIteration } from '../support/tasks.js';

const ASSIGNED = taskStateOrder('assigned');

/** The cluster's task history retention limit (default 5; negative keeps everything). @internal */
export function retentionOf(cluster: ClusterObject | undefined): number {
  if (cluster === undefined || cluster.spec.name !== DEFAULT_CLUSTER_NAME) return DEFAULT_CLUSTER_SETTINGS.taskHistoryRetentionLimit;
  return cluster.spec.orchestration?.taskHistoryRetentionLimit ?? DEFAULT_CLUSTER_SETTINGS.taskHistoryRetentionLimit;
}

/**
 * How many tasks a slot of `service` keeps: the cluster limit, raised to `maxAttempts + 1` when
 * the restart policy limits attempts, and to the backoff's step count plus one with backoff, so
 * the restart history that policy decisions read is never deleted. Negative: no limit.
 *
 * @internal
 */
export function slotLimit(service: Service, retention: number): number {
  if (retention < 0) return retention;
  const policy = resolveRestartPolicy(service.spec.task, isJob(service.spec));
  let limit = retention;
  if (policy.maxAttempts > 0) limit = Math.max(limit, policy.maxAttempts + 1);
  const steps = backoffSteps(policy);
  if (steps > 0) limit = Math.max(limit, steps + 1);
  return limit;
}

/** A task the cluster asked to go (desired `remove`) that no longer holds anything. @internal */
export function removable(t: Task, nodeExists: boolean): boolean {
  return t.desiredState === 'remove' && hasStopped(t, nodeExists);
}

/** A task that is history: not wanted any more and ended, never started, or on a removed node. */
function isHistory(t: Task, nodeExists: boolean): boolean {
  if (isAlive(t)) return false;
  return hasEnded(t) || taskStateOrder(t.status.state) < ASSIGNED || (t.nodeId !== '' && !nodeExists);
}

/**
 * The tasks of one slot to delete: tasks asked to go that stopped; then, while the slot holds
 * more than `limit` tasks, its oldest history (oldest status first). A job's newest completed
 * task of the current iteration is its record of completion and is never deleted.
 *
 * @internal
 */
export function tasksToDelete(slot: readonly Task[], service: Service | undefined, limit: number, nodeExists: (id: string) => boolean): string[] {
  const out: string[] = [];
  let remaining = slot.length;
  const history: Task[] = [];
  for (const t of slot) {
    const exists = t.nodeId === '' || nodeExists(t.nodeId);
    if (removable(t, exists) || (service === undefined && hasStopped(t, exists))) {
      out.push(t.id);
      remaining--;
    } else if (isHistory(t, exists)) {
      history.push(t);
    }
  }
  if (service === undefined || limit < 0 || remaining <= limit) return out;
  let keep: Task | undefined;
  if (isJob(service.spec)) {
    for (const t of history) {
      if (t.status.state !== 'complete' || (t.jobIteration ?? 0) !== jobIteration(service)) continue;
      if (keep === undefined || t.status.timestamp > keep.status.timestamp) keep = t;
    }
  }
  history.sort((a, b) => a.status.timestamp - b.status.timestamp || a.meta.createdAt - b.meta.createdAt);
  for (const t of history) {
    if (remaining <= limit) break;
    if (t === keep) continue;
    out.push(t.id);
    remaining--;
  }
  return out;
}
