import type { Message } from './messages.js';

/**
 * Merges the append acknowledgements a node queued for the same leader in the same term into one,
 * kept at the position of the last of them and carrying the highest index any of them carried.
 *
 * An acknowledgement says "my log matches yours up to `index`"; within one term the leader's log
 * only grows, so the highest of them implies every lower one, and the leader treats a stale one as
 * a no-op. A follower that handled several appends before its driver asked for a Ready (say while
 * an fsync was running) thus answers with one message instead of one per append. Rejections,
 * and the index-less answers that tell a stale leader about a newer term, are left alone.
 *
 * Returns `messages` itself when there is nothing to merge.
 *
 * @internal
 */
export function coalesceAcks(messages: Message[]): Message[] {
  if (messages.length < 2) return messages;
  let acks = 0;
  for (const m of messages) if (isAck(m)) acks++;
  if (acks < 2) return messages;
  // Walk backwards: the last ack of each (leader, term) is the one kept.
  const kept = new Map<string, { at: number; index: number }>();
  const drop = new Set<number>();
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (!isAck(m)) continue;
    const key = `${m.term}\u0000${m.to}`;
    const k = kept.get(key);
    if (k === undefined) {
      kept.set(key, { at: i, index: m.index as number });
    } else {
      drop.add(i);
      if ((m.index as number) > k.index) k.index = m.index as number;
    }
  }
  if (drop.size === 0) return messages;
  const out: Message[] = [];
  for (let i = 0; i < messages.length; i++) {
    if (drop.has(i)) continue;
    const m = messages[i] as Message;
    if (isAck(m)) {
      const k = kept.get(`${m.term}\u0000${m.to}`);
      if (k !== undefined && k.index !== m.index) {
        out.push({ ...m, index: k.index });
        continue;
      }
    }
    out.push(m);
  }
  return out;
}

function isAck(m: Message): boolean {
  return m.type === 'appResp' && m.reject !== true && m.index !== undefined;
}
