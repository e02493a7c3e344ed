import type { Message, MessageType } from './messages.js';

const TYPES: ReadonlySet<string> = new Set<MessageType>([
  'app',
  'appResp',
  'vote',
  'voteResp',
  'preVote',
  'preVoteResp',
  'heartbeat',
  'heartbeatResp',
  'snap',
  'timeoutNow',
  'readIndex',
  'readIndexResp',
]);

/**
 * True when `value` has the shape of a raft message (`RaftMessage`): an object whose `type` is one of the
 * raft message types, with string `from` and `to` and a non-negative integer `term`. A cheap check
 * (no look at entries or snapshots), for an endpoint that carries other protocols too: the
 * {@link RaftDriver} ignores whatever fails it.
 *
 * @example
 * ```ts
 * endpoint.onMessage((m) => {
 *   if (isRaftMessage(m)) node.step(m);
 *   else rpc.handle(m);
 * });
 * ```
 * @public
 */
export function isRaftMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; from?: unknown; to?: unknown; term?: unknown };
  return typeof m.type === 'string' && TYPES.has(m.type) && typeof m.from === 'string' && typeof m.to === 'string' && Number.isSafeInteger(m.term) && (m.term as number) >= 0;
}
