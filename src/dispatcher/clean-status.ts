import type { TaskStatus } from '../api/index.js';
import { isTaskState, taskStateOrder } from '../api/index.js';

const FIRST = taskStateOrder('accepted');
const LAST = taskStateOrder('rejected');

type MutableStatus = { -readonly [K in keyof TaskStatus]: TaskStatus[K] };

/**
 * A status as an agent reported it, reduced to the fields a status has, or undefined when it is
 * malformed or names a state an agent cannot report (agents report `accepted` … `rejected`;
 * `remove` is only desired, and `orphaned` is the dispatcher's own).
 *
 * @internal
 */
export function cleanStatus(value: unknown): TaskStatus | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Partial<Record<keyof TaskStatus, unknown>>;
  if (!isTaskState(s.state) || typeof s.timestamp !== 'number' || typeof s.message !== 'string') return undefined;
  const order = taskStateOrder(s.state);
  if (order < FIRST || order > LAST) return undefined;
  const out: MutableStatus = { state: s.state, timestamp: s.timestamp, message: s.message };
  if (typeof s.err === 'string') out.err = s.err;
  if (typeof s.exitCode === 'number') out.exitCode = s.exitCode;
  if (typeof s.containerId === 'string') out.containerId = s.containerId;
  if (Array.isArray(s.portStatus)) out.portStatus = s.portStatus as TaskStatus['portStatus'];
  return out;
}
