import { HistoryError, validateHistory } from './history.js';
import type { History, Operation } from './history.js';
import type { Model } from './model.js';
import { searchPartition } from './search.js';

/** The verdict: linearizable, not, or undecided within the budget. */
export type CheckVerdict = 'ok' | 'illegal' | 'unknown';

/** Options for {@link checkLinearizable}. Every bound has a default. */
export interface CheckOptions {
  /**
   * Total search steps across all partitions (default 5,000,000). Steps, not milliseconds, so a
   * verdict is deterministic; a partition that runs out is reported `unknown`.
   */
  readonly maxSteps?: number;
  /** Remembered configurations per partition (default 2,000,000). */
  readonly maxCacheEntries?: number;
  /** Stop at the first illegal partition instead of checking them all (default false). */
  readonly stopOnViolation?: boolean;
}

/** Why a history is not linearizable, in terms of one partition. */
export interface Counterexample<State = unknown> {
  /** The partition's key (the shared key of its operations, or `*`). */
  readonly key: string;
  /** The longest prefix the search could linearize, in that order. */
  readonly prefix: readonly Operation[];
  /** The operation that could not be placed after `prefix` before it returned. */
  readonly failed: Operation;
  /** The model state after `prefix` (replayed from the operations as recorded). */
  readonly stateBefore: State;
  /** Rendering of `stateBefore` (the model's `describeState`, or its hash). */
  readonly stateText: string;
  /** Whether the model accepts `failed` in `stateBefore` (if so, every way on from there failed later). */
  readonly failedLegal: boolean;
  /** The other operations pending at that point (invoked, not placed) that the model rejects in `stateBefore`. */
  readonly rejected: readonly Operation[];
  /** The other pending operations the model accepts in `stateBefore`, though every continuation fails. */
  readonly accepted: readonly Operation[];
}

/** The verdict for one partition. */
export interface PartitionResult<State = unknown> {
  readonly key: string;
  readonly result: CheckVerdict | 'skipped';
  /** Operations searched (after dropping `fail` ones, `info` reads and what the model's `simplify` removed). */
  readonly ops: number;
  /** Operations of this partition the model's `simplify` removed. */
  readonly simplified: number;
  readonly steps: number;
  readonly cacheEntries: number;
  /** For `ok`: a witness order of the operations that took effect. */
  readonly linearization?: readonly Operation[];
  readonly counterexample?: Counterexample<State>;
}

/** The verdict for a whole history. */
export interface CheckResult<State = unknown> {
  readonly result: CheckVerdict;
  readonly model: string;
  readonly partitions: readonly PartitionResult<State>[];
  /** The first illegal partition's counterexample. */
  readonly counterexample?: Counterexample<State>;
  /**
   * Operations dropped before searching: `fail` ones (no effect), `info` reads (no effect, nothing
   * learnt) and what the model's `simplify` removed (see each partition's `simplified`).
   */
  readonly dropped: number;
  readonly steps: number;
}

const DEFAULT_MAX_STEPS = 5_000_000;
const DEFAULT_MAX_CACHE = 2_000_000;

/**
 * Decides whether `history` is linearizable with respect to `model`: whether every operation that
 * took effect can be given a single instant between its invocation and completion such that the
 * operations, applied in that order, are accepted by the model.
 *
 * Malformed histories (duplicate ids, returns before calls) throw a {@link HistoryError}; a
 * non-linearizable history is a result, not an exception.
 *
 * @example
 * ```ts
 * const result = checkLinearizable(recorder.history(), kvModel(), { maxSteps: 1_000_000 });
 * expect(result.result, describeViolation(result)).toBe('ok');
 * ```
 */
export function checkLinearizable<State>(history: History, model: Model<State>, options: CheckOptions = {}): CheckResult<State> {
  const issues = validateHistory(history);
  if (issues.length > 0) throw new HistoryError(issues);
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const maxCacheEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE;

  const kept = history.filter((op) => op.status !== 'fail' && !(op.status === 'info' && op.kind === 'read'));
  const groups = model.partition ? model.partition(kept) : [[...kept]];
  const describe = model.describeState ?? model.hash;

  let budget = maxSteps;
  let stop = false;
  const partitions: PartitionResult<State>[] = [];
  for (const group of groups) {
    const key = partitionKey(group);
    const ops = model.simplify ? model.simplify(group) : group;
    const simplified = group.length - ops.length;
    if (stop) {
      partitions.push({ key, result: 'skipped', ops: ops.length, simplified, steps: 0, cacheEntries: 0 });
      continue;
    }
    const out = searchPartition(ops, model, { maxSteps: budget, maxCacheEntries });
    budget -= out.steps;
    // Report the operations as recorded, not as the model's simplify may have rewritten them.
    const recorded = new Map(group.map((o) => [o.id, o]));
    const at = (i: number) => recorded.get((ops[i] as Operation).id) as Operation;
    const pick = (idx: readonly number[]) => idx.map(at);
    const base = { key, result: out.result, ops: ops.length, simplified, steps: out.steps, cacheEntries: out.cacheEntries };
    if (out.result === 'ok') {
      partitions.push({ ...base, linearization: pick(out.linearization ?? []) });
    } else if (out.result === 'illegal' && out.failed !== undefined) {
      const searchedState = out.stateBefore as State;
      const failed = at(out.failed);
      const searched = new Map(ops.map((o) => [o.id, o]));
      const legal = (op: Operation) => {
        const as = searched.get(op.id) as Operation;
        return model.step(searchedState, as, as.status === 'ok' ? as.output : undefined).ok;
      };
      const others = pick(out.candidates ?? []).filter((op) => op.id !== failed.id);
      const prefix = pick(out.prefix ?? []);
      const stateBefore = replay(model, prefix) ?? searchedState;
      const counterexample: Counterexample<State> = {
        key,
        prefix,
        failed,
        stateBefore,
        stateText: describe(stateBefore),
        failedLegal: legal(failed),
        rejected: others.filter((op) => !legal(op)),
        accepted: others.filter(legal),
      };
      partitions.push({ ...base, counterexample });
      if (options.stopOnViolation === true) stop = true;
    } else {
      partitions.push(base);
    }
  }

  const illegal = partitions.find((p) => p.result === 'illegal');
  const result: CheckVerdict = illegal ? 'illegal' : partitions.some((p) => p.result === 'unknown') ? 'unknown' : 'ok';
  return {
    result,
    model: model.name,
    partitions,
    ...(illegal?.counterexample ? { counterexample: illegal.counterexample } : {}),
    dropped: history.length - kept.length + partitions.reduce((n, p) => n + p.simplified, 0),
    steps: maxSteps - budget,
  };
}

/** The state after applying `prefix` as recorded (not as simplified), or undefined if the model rejects it. */
function replay<State>(model: Model<State>, prefix: readonly Operation[]): State | undefined {
  let state = model.init();
  for (const op of prefix) {
    const r = model.step(state, op, op.status === 'ok' ? op.output : undefined);
    if (!r.ok) return undefined;
    state = r.state;
  }
  return state;
}

/** The shared key of a partition's operations, or `*` when they span several. */
function partitionKey(ops: readonly Operation[]): string {
  const first = ops[0]?.key;
  if (first === undefined) return '*';
  return ops.every((o) => o.key === first) ? first : '*';
}
