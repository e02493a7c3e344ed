import type { NodeDescription, Task, TaskStatus } from '../api/index.js';

/**
 * The RPC methods the dispatcher serves, and the push topic of assignment increments.
 *
 * @public
 */
export const DISPATCHER_METHODS = Object.freeze({
  /** Opens a session: {@link OpenSessionRequest} → {@link OpenSessionResponse}. Deduplicated. */
  open: 'dispatcher.open',
  /** Keeps a session alive: {@link SessionRequest} → {@link HeartbeatResponse}. Idempotent. */
  heartbeat: 'dispatcher.heartbeat',
  /** The node's full assignment set: {@link SessionRequest} → {@link AssignmentSet}. Idempotent. */
  assignments: 'dispatcher.assignments',
  /** Task status reports: {@link StatusRequest} → {@link StatusResponse} (the ack). Idempotent. */
  status: 'dispatcher.status',
  /** Ends a session cleanly: {@link SessionRequest} → `{}`. Idempotent. */
  close: 'dispatcher.close',
} as const);

/** Push topic of {@link AssignmentIncrement} messages. @public */
export const ASSIGNMENTS_TOPIC = 'dispatcher.assignments';

/** Most status updates one {@link StatusRequest} carries (SwarmKit's agent batches the same way). @public */
export const MAX_STATUS_UPDATES_PER_MESSAGE = 1024;

/** Most changes one {@link AssignmentIncrement} carries. @public */
export const MAX_CHANGES_PER_INCREMENT = 1024;

/** An agent asks for a session. @public */
export interface OpenSessionRequest {
  readonly nodeId: string;
  /** What the executor reports about the node; the dispatcher stores it on the node. */
  readonly description: NodeDescription;
}

/** A session was opened. @public */
export interface OpenSessionResponse {
  readonly sessionId: string;
  /** When to send the first heartbeat, in milliseconds (the cluster's period, with jitter). */
  readonly heartbeatPeriod: number;
}

/** Every call inside a session names it and its node. @public */
export interface SessionRequest {
  readonly sessionId: string;
  readonly nodeId: string;
}

/** The answer to a heartbeat. @public */
export interface HeartbeatResponse {
  /** When to send the next heartbeat, in milliseconds (with jitter). */
  readonly period: number;
  /** Sequence number of the last assignment message of the session, so a lost one is noticed. */
  readonly seq: number;
}

/**
 * The complete set of tasks assigned to a node: every task with the node's id whose state is
 * `assigned` or later, terminal ones included (their runtime objects stay until the task is
 * deleted from the store, as Docker keeps exited containers of a service's task history).
 *
 * @public
 */
export interface AssignmentSet {
  readonly sessionId: string;
  /** The set reflects every assignment message up to this sequence number. */
  readonly seq: number;
  /** The store index the set was read at; increments carrying older task versions are stale. */
  readonly index: number;
  readonly tasks: readonly Task[];
}

/** One change to a node's assignment set. @public */
export type AssignmentChange = { readonly op: 'update'; readonly task: Task } | { readonly op: 'remove'; readonly taskId: string };

/**
 * Changes to a node's assignment set since the previous message of the session. Numbered
 * consecutively per session: an agent that sees a gap asks for the full set again.
 *
 * @public
 */
export interface AssignmentIncrement {
  readonly sessionId: string;
  readonly seq: number;
  readonly changes: readonly AssignmentChange[];
  /** True when the dispatcher lost track of the session's changes: fetch the full set. */
  readonly resync?: boolean;
}

/** One task's new status, as an agent reports it. @public */
export interface TaskStatusUpdate {
  readonly taskId: string;
  readonly status: TaskStatus;
}

/** A batch of status reports (at most {@link MAX_STATUS_UPDATES_PER_MESSAGE}). @public */
export interface StatusRequest extends SessionRequest {
  readonly updates: readonly TaskStatusUpdate[];
}

/** The ack of a {@link StatusRequest}: the reports were queued for writing (or dropped). @public */
export interface StatusResponse {
  /** Reports queued. */
  readonly accepted: number;
  /** Reports dropped: unknown task, task of another node, or not a forward transition. */
  readonly dropped: number;
}
