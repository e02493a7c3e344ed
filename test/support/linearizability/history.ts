/**
 * The history format the linearizability checker judges: one record per operation, with its
 * invocation and completion times and what the client learnt about its outcome.
 */

/** The three register operations. A `read` never changes state. */
export type OpKind = 'read' | 'write' | 'cas';

/**
 * What the client learnt about an operation's outcome.
 *
 * - `ok`: it completed and took effect exactly once, between `call` and `return`.
 * - `fail`: it definitely did not take effect; the checker drops it.
 * - `info`: the outcome is unknown (a timeout, a crashed client). It may have taken effect at any
 *   instant after `call`, or never; its return is treated as +infinity.
 */
export type OpStatus = 'ok' | 'fail' | 'info';

/** Identifies a client (a sequential process) in a history. */
export type ClientId = string | number;

/**
 * One operation in a history.
 *
 * For the built-in register models: a `read` has no input and its output is the value read; a
 * `write` has the value as input and no output; a `cas` has `{ from, to }` as input and a boolean
 * output (`true` when it swapped, `false` when the comparison failed).
 */
export interface Operation<Input = unknown, Output = unknown> {
  /** Unique within the history. */
  readonly id: number;
  /** The process that issued it; one client has at most one operation outstanding. */
  readonly client: ClientId;
  /** The register (key) it acts on; models that partition by key check each key on its own. */
  readonly key: string;
  readonly kind: OpKind;
  readonly input: Input;
  /** What the operation returned; absent when the status is not `ok`. */
  readonly output?: Output;
  /** Invocation time. */
  readonly call: number;
  /**
   * Completion time; `undefined` while pending. For `info` it may hold the time the client gave up,
   * for reports only: the checker treats an `info` operation's return as +infinity.
   */
  readonly return: number | undefined;
  readonly status: OpStatus;
  /**
   * Optional global event sequence numbers of the invocation and completion. When every operation
   * carries them (the {@link HistoryRecorder} sets them), they order events that share a time, so
   * a reply and the next invocation in the same virtual tick keep their real order. Without them,
   * at equal times invocations are placed before completions (treated as concurrent), which can
   * only hide violations, never invent them.
   */
  readonly callSeq?: number;
  readonly returnSeq?: number;
  /** For `fail` and `info`: why, for reports. */
  readonly error?: string;
}

/** A history: operations in any order. */
export type History<Input = unknown, Output = unknown> = readonly Operation<Input, Output>[];

/** The part of an operation a model steps on: what was asked, not what was answered. */
export interface OperationCall<Input = unknown> {
  readonly kind: OpKind;
  readonly key: string;
  readonly input: Input;
}

/** One problem found in a history's shape, with the index of the operation. */
export interface HistoryIssue {
  readonly index: number;
  readonly message: string;
}

/** Thrown when a history is malformed (a harness bug, not a finding about the system). */
export class HistoryError extends Error {
  readonly issues: readonly HistoryIssue[];
  constructor(issues: readonly HistoryIssue[]) {
    const head = issues
      .slice(0, 5)
      .map((i) => `#${i.index}: ${i.message}`)
      .join('; ');
    super(`malformed history (${issues.length} issue${issues.length === 1 ? '' : 's'}): ${head}`);
    this.name = 'HistoryError';
    this.issues = issues;
  }
}

const KINDS: ReadonlySet<string> = new Set(['read', 'write', 'cas']);
const STATUSES: ReadonlySet<string> = new Set(['ok', 'fail', 'info']);
/** Issues beyond this many are not collected; the first ones are enough to fix a harness. */
const MAX_ISSUES = 100;

/**
 * Checks the shape of a history: unique ids, known kinds and statuses, finite times, and
 * `return >= call` for completed operations. Returns the issues found (empty when valid).
 */
export function validateHistory(history: History): HistoryIssue[] {
  const issues: HistoryIssue[] = [];
  const ids = new Set<number>();
  const add = (index: number, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ index, message });
  };
  history.forEach((op, index) => {
    if (!Number.isSafeInteger(op.id)) add(index, `id must be an integer, got ${String(op.id)}`);
    else if (ids.has(op.id)) add(index, `duplicate id ${op.id}`);
    ids.add(op.id);
    if (!KINDS.has(op.kind)) add(index, `unknown kind ${String(op.kind)}`);
    if (!STATUSES.has(op.status)) add(index, `unknown status ${String(op.status)}`);
    if (typeof op.key !== 'string') add(index, 'key must be a string');
    if (!Number.isFinite(op.call)) add(index, `call must be a finite number, got ${String(op.call)}`);
    if (op.status === 'ok') {
      if (op.return === undefined || !Number.isFinite(op.return)) add(index, 'an ok operation needs a finite return time');
      else if (op.return < op.call) add(index, `returns (${op.return}) before it is called (${op.call})`);
      if (op.callSeq !== undefined && op.returnSeq !== undefined && op.returnSeq < op.callSeq) {
        add(index, 'returnSeq precedes callSeq');
      }
    }
  });
  return issues;
}
