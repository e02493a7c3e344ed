import { deepFreeze } from './deep-freeze.js';
import type { NodeAvailability, NodeMembership, NodeRole, NodeSpec } from './specs.js';
import { Fields, compact, runValidation, unwrap, type Issues, type ValidationResult } from './validate-common.js';

/** A change to a node's spec: only the fields to change. @public */
export type NodeSpecUpdate = Partial<NodeSpec>;

const ROLES: readonly NodeRole[] = ['manager', 'worker'];
const MEMBERSHIPS: readonly NodeMembership[] = ['pending', 'accepted'];
const AVAILABILITIES: readonly NodeAvailability[] = ['active', 'pause', 'drain'];

function checkNodeUpdate(issues: Issues, input: unknown, current: NodeSpec | undefined): NodeSpecUpdate | undefined {
  const f = Fields.of(issues, input, '', ['name', 'labels', 'role', 'membership', 'availability']);
  if (f === undefined) return undefined;
  const membership = f.enumOf('membership', MEMBERSHIPS);
  if (current?.membership === 'accepted' && membership === 'pending') {
    issues.add('membership', 'cannot change from accepted back to pending');
  }
  return compact({
    name: f.string('name', true),
    labels: f.record('labels'),
    role: f.enumOf('role', ROLES),
    membership,
    availability: f.enumOf('availability', AVAILABILITIES),
  });
}

/** Validates a node spec update without throwing (see {@link validateNodeSpecUpdate}). @public */
export function safeValidateNodeSpecUpdate(input: unknown, current?: NodeSpec): ValidationResult<NodeSpecUpdate> {
  return runValidation((issues) => {
    const update = checkNodeUpdate(issues, input, current);
    return update === undefined ? undefined : deepFreeze(update);
  });
}

/**
 * Validates a change to a node's spec, as `docker node update` makes one: role `manager` or
 * `worker`, availability `active`, `pause` or `drain`, membership `pending` or `accepted` (an
 * accepted node cannot go back to pending, when `current` is given), labels with non-empty keys
 * and string values. Returns a new, frozen update holding only the fields given. Whether a
 * demotion keeps quorum is for the cluster to decide, not this check.
 *
 * @param update - the fields to change
 * @param current - the node's current spec, to check transitions
 * @throws ValidationError listing every issue found
 * @example
 * ```ts
 * validateNodeSpecUpdate({ availability: 'drain', labels: { zone: 'a' } });
 * ```
 * @public
 */
export function validateNodeSpecUpdate(update: NodeSpecUpdate, current?: NodeSpec): NodeSpecUpdate {
  return unwrap(safeValidateNodeSpecUpdate(update, current));
}
