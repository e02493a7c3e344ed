import { matchesConstraints, nodeFacts, parseConstraints } from '../../api/index.js';
import type { Node, Service, Task, TaskSpec } from '../../api/index.js';

/**
 * JSON with object keys sorted, so two equal specs always give the same string. @internal
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return v;
  });
}

/**
 * The task spec without its placement constraints (and without an emptied placement), for
 * comparing specs where only the constraints changed. @internal
 */
export function withoutPlacementConstraints(spec: TaskSpec): TaskSpec {
  if (spec.placement?.constraints === undefined) return spec;
  const { constraints: _c, ...placement } = spec.placement;
  if (Object.keys(placement).length > 0) return { ...spec, placement };
  const { placement: _p, ...rest } = spec;
  return rest;
}

/**
 * True when `task` no longer matches its service and must be replaced by a rolling update
 * (SwarmKit's `IsTaskDirty`): its task spec, or the endpoint spec it was made with (published
 * ports, endpoint mode), differs from the service's current one. A change
 * to the placement constraints alone does not make a task dirty while its node (when given)
 * still satisfies the new constraints, so tightening placement never restarts tasks that fit.
 * A task made from the current spec version is never dirty.
 *
 * @public
 */
export function isTaskDirty(service: Service, task: Task, node?: Node): boolean {
  if (task.specVersion === service.specVersion) return false;
  if (task.endpoint?.spec !== service.spec.endpoint && stableJson(task.endpoint?.spec) !== stableJson(service.spec.endpoint)) return true;
  const current = service.spec.task;
  if (current === task.spec) return false;
  if (stableJson(current) === stableJson(task.spec)) return false;
  if (node === undefined || stableJson(withoutPlacementConstraints(current)) !== stableJson(withoutPlacementConstraints(task.spec))) return true;
  const constraints = current.placement?.constraints;
  if (constraints === undefined || constraints.length === 0) return false;
  return !matchesConstraints(parseConstraints(constraints), nodeFacts(node));
}
