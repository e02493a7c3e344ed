import { NotFoundError, TransactionTooLargeError, VersionConflictError } from '../errors/index.js';
import type { Logger } from '../runtime/index.js';
import { assignFields, type Store, type WriteTx } from '../store/index.js';
import { ASSIGNED_MESSAGE, CONFIRMED_MESSAGE, type Placement, type Unplaced } from './planner.js';

/** What {@link writeDecisions} did. @internal */
export interface WriteOutcome {
  readonly transactions: number;
  /** Placements not committed (the task or node had changed, or the write failed). */
  readonly dropped: readonly Placement[];
  /** Whether the store refused a transaction as too large (see `TransactionTooLargeError`). */
  readonly tooLarge: boolean;
}

/** Options of {@link writeDecisions}. @internal */
export interface WriteOptions {
  /** The status timestamp. */
  readonly now: number;
  /** Most task changes per transaction. */
  readonly transactionSize: number;
  /** Checked before each transaction: false stops writing (the rest counts as dropped). */
  readonly isActive: () => boolean;
  readonly logger?: Logger | undefined;
}

/**
 * Commits placements, then reasons for unplaced tasks, in transactions of at most
 * `transactionSize` tasks, one `store.update` each. Inside the transaction every decision is
 * checked against the current state: a task whose version moved, or a placement on a node whose
 * version moved (drained, gone down...), is left alone, and a placement is reported as dropped,
 * without failing the rest of the transaction.
 *
 * @internal
 */
export async function writeDecisions(
  store: Store,
  placements: readonly Placement[],
  explanations: readonly Unplaced[],
  options: WriteOptions,
): Promise<WriteOutcome> {
  const dropped: Placement[] = [];
  let transactions = 0;
  let tooLarge = false;
  const { now, transactionSize } = options;
  const total = placements.length + explanations.length;
  for (let start = 0; start < total; start += transactionSize) {
    const end = Math.min(total, start + transactionSize);
    if (!options.isActive()) {
      for (let i = start; i < Math.min(end, placements.length); i++) dropped.push(placements[i] as Placement);
      continue;
    }
    const skipped: Placement[] = [];
    let changed = 0;
    try {
      await store.update((tx) => {
        for (let i = start; i < end; i++) {
          if (i < placements.length) {
            const p = placements[i] as Placement;
            if (assign(tx, p, now)) changed++;
            else skipped.push(p);
          } else if (explain(tx, explanations[i - placements.length] as Unplaced, now)) changed++;
        }
      });
      if (changed > 0) transactions++;
      dropped.push(...skipped);
    } catch (err) {
      if (err instanceof TransactionTooLargeError) tooLarge = true;
      options.logger?.warn?.('scheduler could not commit its decisions; they will be retried', {
        error: err instanceof Error ? err.message : String(err),
        decisions: end - start,
      });
      for (let i = start; i < Math.min(end, placements.length); i++) dropped.push(placements[i] as Placement);
    }
  }
  return { transactions, dropped, tooLarge };
}

function assign(tx: WriteTx, p: Placement, now: number): boolean {
  const node = tx.nodes.get(p.nodeId);
  if (node === undefined || node.meta.version !== p.node.meta.version) return false;
  return changed(() =>
    assignFields(
      tx.tasks,
      p.task.id,
      {
        nodeId: p.nodeId,
        status: { state: 'assigned', timestamp: now, message: p.preassigned ? CONFIRMED_MESSAGE : ASSIGNED_MESSAGE },
        ...(p.genericResources.length > 0 ? { assignedGenericResources: p.genericResources.map((c) => ({ kind: c.kind, value: c.value })) } : {}),
      },
      { expectedVersion: p.task.meta.version },
    ),
  );
}

function explain(tx: WriteTx, u: Unplaced, now: number): boolean {
  return changed(() =>
    tx.tasks.update(
      u.task.id,
      (draft) => {
        draft.status.timestamp = now;
        draft.status.message = u.reason;
        draft.status.err = u.reason;
      },
      { expectedVersion: u.task.meta.version },
    ),
  );
}

/** Runs a task update; false when the task is gone or changed since the decision (nothing written). */
function changed(update: () => unknown): boolean {
  try {
    update();
    return true;
  } catch (err) {
    if (err instanceof VersionConflictError || err instanceof NotFoundError) return false;
    throw err;
  }
}
