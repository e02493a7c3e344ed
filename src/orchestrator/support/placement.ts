import { isJob, matchesConstraints, nodeFacts, parseConstraints } from '../../api/index.js';
import type { Constraint, Node, Service, Task } from '../../api/index.js';
import { resolveRestartPolicy, shouldRestart } from '../restart/policy.js';
import { byNewest, exitedByItself, isRunnable } from './tasks.js';

/** A service's placement constraints, parsed once per spec; undefined when they do not parse. */
const cache = new WeakMap<Service['spec'], readonly Constraint[] | undefined>();

/** The parsed placement constraints of `service` (undefined: invalid, matching no node). @internal */
export function constraintsOf(service: Service): readonly Constraint[] | undefined {
  if (cache.has(service.spec)) return cache.get(service.spec);
  let parsed: readonly Constraint[] | undefined;
  try {
    parsed = parseConstraints(service.spec.task.placement?.constraints ?? []);
  } catch {
    parsed = undefined;
  }
  cache.set(service.spec, parsed);
  return parsed;
}

/** True when `node` satisfies the placement constraints of `service`. @internal */
export function nodeMatches(service: Service, node: Node): boolean {
  const constraints = constraintsOf(service);
  if (constraints === undefined) return false;
  return constraints.length === 0 || matchesConstraints(constraints, nodeFacts(node));
}

/**
 * The tasks that stand for one slot (one node of a global service): its runnable tasks, or, when
 * there are none, its newest task if it exited by itself and its restart policy gives it no
 * replacement (condition `none`, a clean exit under `on-failure`, attempts used up). Such a slot
 * is done, not empty: it gets no new task until the service's spec changes, when the updater
 * replaces it (SwarmKit's `UpdatableTasksInSlot`). While a rollback runs, a finished slot counts
 * as empty, so the rollback always ends with the slot running. Returns an empty list for an
 * empty slot.
 *
 * @internal
 */
export function coveringTasks(service: Service, tasks: readonly Task[], now: number): readonly Task[] {
  const runnable = tasks.filter(isRunnable);
  if (runnable.length > 0) return runnable;
  if (service.updateStatus?.state === 'rollback_started') return [];
  const newest = [...tasks].sort(byNewest)[0];
  if (newest === undefined || !exitedByItself(newest)) return [];
  const policy = resolveRestartPolicy(newest.spec, isJob(service.spec));
  return shouldRestart(newest, tasks, policy, now) ? [] : [newest];
}
