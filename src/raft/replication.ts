import { LogCompactedError, SnapshotUnavailableError } from './errors.js';
import type { Message } from './messages.js';
import type { Progress } from './progress.js';
import { hasQuorum } from './quorum.js';
import type { Raft } from './raft.js';
import type { ReadRequest } from './read-only.js';

/**
 * The leader side of log replication, commitment and ReadIndex, as functions over the core.
 */

/** Leader: handles a message from a peer (terms already checked). @internal */
export function stepLeader(r: Raft, m: Message): void {
  if (m.type === 'readIndex') {
    if (m.context !== undefined) leaderReadIndex(r, m.context, m.from);
    return;
  }
  const pr = r.trk.progress.get(m.from);
  if (pr === undefined) return;
  if (m.type === 'appResp') handleAppendResponse(r, m, pr);
  else if (m.type === 'heartbeatResp') handleHeartbeatResponse(r, m, pr);
}

/**
 * Sends the entries `to` lacks (or a snapshot when they are compacted). With `sendIfEmpty`
 * false, sends nothing when there are no new entries. Returns whether a message was sent.
 *
 * @internal
 */
export function sendAppend(r: Raft, to: string, sendIfEmpty = true): boolean {
  const pr = r.trk.progress.get(to);
  if (pr === undefined || to === r.id || pr.isPaused()) return false;
  if (!sendIfEmpty && pr.next > r.log.lastIndex()) return false;
  const prevIndex = pr.next - 1;
  let prevTerm: number;
  let entries;
  try {
    prevTerm = r.log.term(prevIndex);
    entries = r.log.entriesFrom(pr.next, r.cfg.maxSizePerMsg);
  } catch (e) {
    if (e instanceof LogCompactedError) return sendSnapshot(r, to, pr);
    throw e;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  const commit = r.log.committed;
  r.send({ to, type: 'app', index: prevIndex, logTerm: prevTerm, entries, commit });
  const last = prevIndex + entries.length;
  pr.sentCommit = Math.max(pr.sentCommit, Math.min(commit, last));
  pr.sentEntries(last, entries.length);
  return true;
}

/**
 * Leader: sends what {@link Raft.appendsDue} says is waiting, once per Ready. Each follower gets
 * the entries it lacks, as few appends as `maxSizePerMsg` allows, as many as its in-flight window
 * allows; a follower with nothing new to receive gets one empty append when the commit index moved
 * past what it was told, so it applies promptly instead of at the next heartbeat.
 *
 * @internal
 */
export function flushAppends(r: Raft): void {
  if (!r.appendsDue) return;
  r.appendsDue = false;
  if (r.state !== 'leader') return;
  for (const [id, pr] of r.trk.progress) {
    if (id === r.id) continue;
    let sent = false;
    while (sendAppend(r, id, false)) sent = true;
    if (!sent && pr.state !== 'snapshot' && Math.min(r.log.committed, pr.next - 1) > pr.sentCommit) sendAppend(r, id, true);
  }
}

function sendSnapshot(r: Raft, to: string, pr: Progress): boolean {
  // Only send a (possibly large) snapshot to a follower that is known to be alive.
  if (!pr.recentActive) return false;
  let snapshot;
  try {
    snapshot = r.log.snapshot();
  } catch (e) {
    if (e instanceof SnapshotUnavailableError) return false;
    throw e;
  }
  if (snapshot.metadata.index === 0) throw new Error('raft: log is compacted but storage has no snapshot');
  r.cfg.logger?.info?.('sending snapshot', { id: r.id, to, index: snapshot.metadata.index });
  pr.becomeSnapshot(snapshot.metadata.index);
  r.send({ to, type: 'snap', snapshot });
  return true;
}

/** Leader: sends appends to every member. @internal */
export function bcastAppend(r: Raft): void {
  for (const id of r.trk.progress.keys()) if (id !== r.id) sendAppend(r, id);
}

/**
 * Leader: advances the commit index to the highest index a quorum of voters holds, but only if
 * that entry is of the current term (Raft §5.4.2: older entries commit indirectly). Returns
 * whether the commit index moved.
 *
 * @internal
 */
export function maybeCommit(r: Raft): boolean {
  if (r.state !== 'leader') return false;
  const index = r.trk.committed();
  if (index <= r.log.committed || r.log.termOrZero(index) !== r.term) return false;
  r.log.commitTo(index);
  r.appendsDue = true;
  releasePendingReads(r);
  return true;
}

function handleAppendResponse(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  const index = m.index ?? 0;
  if (m.reject === true) {
    let nextProbe = m.rejectHint ?? 0;
    if ((m.logTerm ?? 0) > 0) nextProbe = r.log.findConflictByTerm(nextProbe, m.logTerm ?? 0).index;
    if (pr.maybeDecrTo(index, nextProbe)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (!pr.maybeUpdate(index) && !(pr.match === index && pr.state === 'probe')) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') {
    pr.inflights.freeLE(index);
  }
  // A moved commit index goes to every follower, and this one may have room for more entries
  // (pipelining): both are sent by flushAppends, once however many acknowledgements arrive.
  maybeCommit(r);
  if (wasPaused || pr.next <= r.log.lastIndex() || r.log.committed > pr.sentCommit) r.appendsDue = true;
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from);
}

function handleHeartbeatResponse(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  pr.probeSent = false;
  // The follower is alive: if acks were lost and the window is full, make room for a retry.
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < r.log.lastIndex()) sendAppend(r, m.from);
  if (m.context === undefined) return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (acks === undefined || !hasQuorum(r.trk.voters, acks)) return;
  for (const req of r.readOnly.advance(m.context)) respondToRead(r, req);
}

function respondToRead(r: Raft, req: Pick<ReadRequest, 'index' | 'context' | 'from'>): void {
  if (req.from === r.id) r.readStates.push({ index: req.index, context: req.context });
  else r.send({ to: req.from, type: 'readIndexResp', index: req.index, context: req.context });
}

/**
 * Leader: a linearizable read. The current commit index is the answer once a quorum confirms
 * this node is still the leader. Reads wait until the leader has committed an entry of its own
 * term, since before that its commit index may be stale.
 *
 * @internal
 */
export function leaderReadIndex(r: Raft, context: Uint8Array, from: string): void {
  if (r.trk.voters.size === 1 && r.trk.voters.has(r.id)) {
    respondToRead(r, { index: r.log.committed, context, from });
    return;
  }
  if (r.log.termOrZero(r.log.committed) !== r.term) {
    if (r.pendingReads.length < r.cfg.maxPendingReads) r.pendingReads.push({ context, from });
    return;
  }
  if (r.readOnly.size() >= r.cfg.maxPendingReads) return;
  r.readOnly.add(r.log.committed, context, from, r.id);
  bcastHeartbeat(r);
}

function releasePendingReads(r: Raft): void {
  if (r.pendingReads.length === 0) return;
  const reads = r.pendingReads;
  r.pendingReads = [];
  for (const { context, from } of reads) leaderReadIndex(r, context, from);
}

/** Leader: tells `to` to campaign at once (leadership transfer). @internal */
export function sendTimeoutNow(r: Raft, to: string): void {
  r.send({ to, type: 'timeoutNow' });
}

/**
 * Leader: it applied its own removal or demotion. Sends the followers what they lack up to the
 * commit index, tells the most up-to-date remaining voter to campaign now when it holds the whole
 * log, and steps down.
 *
 * @internal
 */
export function stepDownAsNonVoter(r: Raft): void {
  r.appendsDue = true;
  flushAppends(r);
  let successor: string | undefined;
  let best = -1;
  for (const id of [...r.trk.voters].sort()) {
    const match = r.trk.progress.get(id)?.match ?? 0;
    if (match > best) {
      best = match;
      successor = id;
    }
  }
  r.cfg.logger?.info?.('stepping down: no longer a voter', { id: r.id, term: r.term, successor: successor ?? null });
  if (successor !== undefined && best === r.log.lastIndex()) sendTimeoutNow(r, successor);
  r.becomeFollower(r.term, null);
}

/** Leader: sends heartbeats to every member, carrying the latest pending read context. @internal */
export function bcastHeartbeat(r: Raft): void {
  const context = r.readOnly.lastPendingContext();
  for (const [id, pr] of r.trk.progress) {
    if (id === r.id) continue;
    const commit = Math.min(pr.match, r.log.committed);
    if (commit > pr.sentCommit) pr.sentCommit = commit;
    r.send({ to: id, type: 'heartbeat', commit, ...(context !== undefined ? { context } : {}) });
  }
}
