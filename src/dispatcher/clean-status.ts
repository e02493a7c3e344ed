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
  if (isClean(value)) return value as TaskStatus;
  const out: MutableStatus = { state: s.state, timestamp: s.timestamp, message: s.message };
  if (typeof s.err === 'string') out.err = s.err;
  if (typeof s.exitCode === 'number') out.exitCode = s.exitCode;
  if (typeof s.containerId === 'string') out.containerId = s.containerId;
  if (Array.isArray(s.portStatus)) out.portStatus = s.portStatus as TaskStatus['portStatus'];
  return out;
}

/**
 * Whether a report that passed the checks above is a plain object of status fields only, each of
 * its type: then it is taken as it is (the store freezes it in place) rather than copied, so that
 * on an in-process network the store and the agent share one status object per task.
 */
function isClean(value: object): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const s = value as Record<string, unknown>;
  for (const key in s) {
    if (!Object.prototype.hasOwnProperty.call(s, key)) return false;
    switch (key) {
      case 'state':
      case 'timestamp':
      case 'message':
        break;
      case 'err':
      case 'containerId':
        if (typeof s[key] !== 'string') return false;
        break;
      case 'exitCode':
        if (typeof s[key] !== 'number') return false;
        break;
      case 'portStatus':
        if (!Array.isArray(s[key])) return false;
        break;
      default:
        return false;
    }
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}
