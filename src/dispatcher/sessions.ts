import type { Clock, TimerHandle } from '../runtime/index.js';
import type { AssignmentChange, AssignmentIncrement } from './protocol.js';
import { MAX_CHANGES_PER_INCREMENT } from './protocol.js';

/**
 * Changes one session may have waiting to be pushed; beyond it they are dropped and the agent is
 * told to fetch its full set instead (10,000).
 *
 * @internal
 */
export const MAX_PENDING_CHANGES = 10_000;

/** One agent's session with the active dispatcher. @internal */
export interface Session {
  readonly id: string;
  readonly nodeId: string;
  /** The agent's address: where increments are pushed. */
  readonly addr: string;
  /** Sequence number of the last assignment message pushed. */
  seq: number;
  /** Changes not yet pushed, by task id (a later change of a task replaces an earlier one). */
  readonly pending: Map<string, AssignmentChange>;
  /** Set when the pending changes overflowed: the next message tells the agent to resync. */
  resync: boolean;
}

/**
 * The open sessions, by id and by node (one per node: a node that opens a new session ends its
 * old one), and the assignment increments waiting to be pushed to them, flushed together every
 * `interval` (SwarmKit batches assignment changes for 50 ms).
 *
 * @internal
 */
export class SessionTable {
  private readonly byId = new Map<string, Session>();
  private readonly byNode = new Map<string, Session>();
  private readonly dirty = new Set<Session>();
  private timer: TimerHandle | undefined;
  /** Increments pushed. */
  increments = 0;

  constructor(
    private readonly clock: Clock,
    private readonly interval: number,
    private readonly push: (session: Session, message: AssignmentIncrement) => void,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Opens a session for `nodeId`, ending the one it had. */
  open(id: string, nodeId: string, addr: string): Session {
    this.end(nodeId);
    const session: Session = { id, nodeId, addr, seq: 0, pending: new Map(), resync: false };
    this.byId.set(id, session);
    this.byNode.set(nodeId, session);
    return session;
  }

  /** The session `id` when it is open and belongs to `nodeId`. */
  get(id: string, nodeId: string): Session | undefined {
    const session = this.byId.get(id);
    return session !== undefined && session.nodeId === nodeId ? session : undefined;
  }

  /** The node's session, if it has one. */
  ofNode(nodeId: string): Session | undefined {
    return this.byNode.get(nodeId);
  }

  /** Ends the node's session; returns it. */
  end(nodeId: string): Session | undefined {
    const session = this.byNode.get(nodeId);
    if (session === undefined) return undefined;
    this.byNode.delete(nodeId);
    this.byId.delete(session.id);
    this.dirty.delete(session);
    return session;
  }

  /** Ends every session. */
  clear(): void {
    this.byId.clear();
    this.byNode.clear();
    this.dirty.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Queues `change` for the session of `nodeId`, if the node has one. */
  queue(nodeId: string, change: AssignmentChange): void {
    const session = this.byNode.get(nodeId);
    if (session === undefined) return;
    const taskId = change.op === 'update' ? change.task.id : change.taskId;
    if (!session.resync) {
      session.pending.set(taskId, change);
      if (session.pending.size > MAX_PENDING_CHANGES) {
        session.pending.clear();
        session.resync = true;
      }
    }
    this.markDirty(session);
  }

  /** Tells every session to fetch its full set (the dispatcher lost track of changes). */
  resyncAll(): void {
    for (const session of this.byId.values()) {
      session.pending.clear();
      session.resync = true;
      this.markDirty(session);
    }
  }

  /** Pushes what is pending now. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const sessions = [...this.dirty];
    this.dirty.clear();
    for (const session of sessions) {
      if (session.resync) {
        session.resync = false;
        this.send(session, { sessionId: session.id, seq: ++session.seq, changes: [], resync: true });
        continue;
      }
      const changes = [...session.pending.values()];
      session.pending.clear();
      for (let i = 0; i < changes.length; i += MAX_CHANGES_PER_INCREMENT) {
        this.send(session, { sessionId: session.id, seq: ++session.seq, changes: changes.slice(i, i + MAX_CHANGES_PER_INCREMENT) });
      }
    }
  }

  private send(session: Session, message: AssignmentIncrement): void {
    this.increments++;
    this.push(session, message);
  }

  private markDirty(session: Session): void {
    this.dirty.add(session);
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => this.flush(), this.interval);
  }
}
