import { DEFAULT_MAX_CONCURRENT, serviceModeKind } from '../../api/index.js';
import type { Service, Task } from '../../api/index.js';
import type { ReadTx } from '../../store/index.js';
import { isInvalidNode } from '../common/index.js';
import { nodeMatches } from '../support/placement.js';
import { acceptsNewTasks, byNewest, exitedByItself, hasEnded, isAlive, jobIteration } from '../support/tasks.js';

/** What one reconciliation of a job does, written a batch at a time. @internal */
export interface JobPlan {
  readonly service: Service;
  readonly iteration: number;
  /** Tasks of this iteration to restart (ended, or on a failed node). */
  readonly restarts: readonly string[];
  /** Slot numbers (replicated jobs) or node ids (global jobs) that get a new task. */
  readonly creates: readonly (number | string)[];
  /** Tasks of earlier iterations still running: desired `remove`. */
  readonly removes: readonly string[];
  /** Global job tasks on nodes that no longer fit: desired `shutdown`. */
  readonly shutdowns: readonly string[];
  step: number;
}

/** Max concurrency and total completions of a replicated job. @internal */
export function jobLimits(service: Service): { maxConcurrent: number; totalCompletions: number } {
  const mode = service.spec.mode;
  const job = mode !== undefined && 'replicatedJob' in mode ? mode.replicatedJob : {};
  const maxConcurrent = job.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  return { maxConcurrent, totalCompletions: job.totalCompletions ?? maxConcurrent };
}

function isCurrent(t: Task, iteration: number): boolean {
  return (t.jobIteration ?? 0) === iteration;
}

/** Earlier iterations' tasks that still run and are not yet asked to go. */
function stale(tasks: readonly Task[], iteration: number): string[] {
  return tasks.filter((t) => !isCurrent(t, iteration) && !hasEnded(t) && t.desiredState !== 'remove').map((t) => t.id);
}

function groupBy(tasks: readonly Task[], key: (t: Task) => number | string): Map<number | string, Task[]> {
  const out = new Map<number | string, Task[]>();
  for (const t of tasks) {
    const k = key(t);
    const list = out.get(k);
    if (list === undefined) out.set(k, [t]);
    else list.push(t);
  }
  return out;
}

/**
 * A replicated job: slots 0..total−1 each need one completion. New tasks =
 * min(maxConcurrent − running, total − completed − running − abandoned), in the lowest slots
 * not used yet in this iteration; "running" counts slots with a task still wanted (including a
 * failed one awaiting its restart), "abandoned" slots whose last task failed and was given no
 * replacement by the restart policy (they are not retried with a fresh task).
 */
function planReplicatedJob(tx: ReadTx, service: Service, iteration: number): JobPlan {
  const { maxConcurrent, totalCompletions } = jobLimits(service);
  const all = tx.tasks.find({ serviceId: service.id });
  const bySlot = groupBy(
    all.filter((t) => isCurrent(t, iteration)),
    (t) => t.slot,
  );
  let completed = 0;
  let running = 0;
  let abandoned = 0;
  const restarts: string[] = [];
  for (const tasks of bySlot.values()) {
    if (tasks.some((t) => t.status.state === 'complete')) {
      completed++;
      continue;
    }
    const alive = tasks.filter(isAlive);
    if (alive.length === 0) {
      abandoned++;
      continue;
    }
    running++;
    for (const t of alive) if (hasEnded(t) || (t.nodeId !== '' && isInvalidNode(tx.nodes.get(t.nodeId)))) restarts.push(t.id);
  }
  const wanted = Math.max(0, Math.min(maxConcurrent - running, totalCompletions - completed - running - abandoned));
  const creates: number[] = [];
  for (let s = 0; s < totalCompletions && creates.length < wanted; s++) if (!bySlot.has(s)) creates.push(s);
  return { service, iteration, restarts, creates, removes: stale(all, iteration), shutdowns: [], step: 0 };
}

/**
 * A global job: one completion per node that fits (ready or unknown, active, accepted, matching
 * the constraints). A node whose task completed, or failed without a replacement, is done; a task
 * shut down because its node failed or was drained leaves the node to be tried again when it fits
 * once more.
 */
function planGlobalJob(tx: ReadTx, service: Service, iteration: number): JobPlan {
  const all = tx.tasks.find({ serviceId: service.id });
  const byNode = groupBy(
    all.filter((t) => isCurrent(t, iteration)),
    (t) => t.nodeId,
  );
  const restarts: string[] = [];
  const shutdowns: string[] = [];
  const creates: string[] = [];
  for (const node of tx.nodes.all()) {
    const tasks = byNode.get(node.id) ?? [];
    byNode.delete(node.id);
    const alive = tasks.filter(isAlive);
    if (isInvalidNode(node) || !nodeMatches(service, node)) {
      for (const t of alive) shutdowns.push(t.id);
      continue;
    }
    for (const t of alive) if (hasEnded(t)) (acceptsNewTasks(node) ? restarts : shutdowns).push(t.id);
    const newest = [...tasks].sort(byNewest)[0];
    const done = alive.length > 0 || (newest !== undefined && exitedByItself(newest));
    if (!done && acceptsNewTasks(node)) creates.push(node.id);
  }
  for (const tasks of byNode.values()) for (const t of tasks) if (isAlive(t)) shutdowns.push(t.id);
  return { service, iteration, restarts, creates, removes: stale(all, iteration), shutdowns, step: 0 };
}

/** The reconciliation a job service needs now, or undefined when it is not a job. @internal */
export function planJob(tx: ReadTx, service: Service): JobPlan | undefined {
  const kind = serviceModeKind(service.spec);
  const iteration = jobIteration(service);
  if (kind === 'replicatedJob') return planReplicatedJob(tx, service, iteration);
  if (kind === 'globalJob') return planGlobalJob(tx, service, iteration);
  return undefined;
}
