import { FailureCache, bitsKey, clearBit, setBit } from './cache.js';
import { EntryList, MAIN_HEAD, NIL, SlotKind } from './entries.js';
import type { Operation } from './history.js';
import { InfoPool } from './info-pool.js';
import type { Model } from './model.js';

/** Bounds for one partition's search. */
export interface SearchLimits {
  /** Loop iterations allowed; the search gives up with `unknown` past this. */
  readonly maxSteps: number;
  /** Failed configurations remembered; past this the cache stops growing (still correct, only slower). */
  readonly maxCacheEntries: number;
}

/** How many pending invocations a counterexample lists at most. */
export const MAX_CANDIDATES = 32;

/** The outcome of searching one partition; operations are referred to by index into it. */
export interface SearchOutcome<State> {
  readonly result: 'ok' | 'illegal' | 'unknown';
  readonly steps: number;
  readonly cacheEntries: number;
  /** For `ok`: an order (indices) of every `ok` operation plus the `info` ones that took effect. */
  readonly linearization?: readonly number[];
  /** For `illegal`: the longest prefix (indices, in linearization order) the search could place. */
  readonly prefix?: readonly number[];
  /** For `illegal`: the operation whose completion came before it could be placed after `prefix`. */
  readonly failed?: number;
  /** For `illegal`: the model state after `prefix`. */
  readonly stateBefore?: State;
  /** For `illegal`: the not-yet-placed operations invoked before `failed` returned. */
  readonly candidates?: readonly number[];
}

/**
 * The Wing & Gong depth-first search with Lowe's memoisation (the algorithm Knossos and Porcupine
 * use), over one partition.
 *
 * Walk the entry list from the front. At an invocation, try to linearize that operation now: if the
 * model accepts it and the resulting configuration is not subsumed by one already known to fail,
 * push it, lift its entries out of the list and restart from the front. At a completion, the
 * operation it belongs to should already have been linearized: every candidate before it has been
 * tried, so backtrack — pop the last choice, remember its configuration as failed, restore its
 * state, put its entries back, and try the next candidate after it. The history is linearizable
 * when every `ok` operation is linearized; it is not when the stack empties.
 *
 * `info` operations (unknown outcome) have no completion, so they may be placed anywhere after
 * their invocation, or never. The candidates at each point are tried `ok` ones first, then `info`
 * ones, one per class of interchangeable operations ({@link InfoPool}); together with the
 * subsumption in {@link FailureCache} this means an `info` write that nobody observed costs only
 * until the next write makes the states meet again, instead of doubling the space for every such
 * operation.
 */
export function searchPartition<State>(ops: readonly Operation[], model: Model<State>, limits: SearchLimits): SearchOutcome<State> {
  const list = new EntryList(ops);
  const pool = new InfoPool(ops, list);
  const infoIndex = new Int32Array(ops.length).fill(-1);
  let infoCount = 0;
  ops.forEach((o, i) => {
    if (o.status !== 'ok') infoIndex[i] = infoCount++;
  });
  const okWords = new Uint32Array(Math.ceil(ops.length / 32));
  const infoWords = new Uint32Array(Math.ceil(infoCount / 32));
  const cache = new FailureCache<State>(limits.maxCacheEntries, model.equal);
  let okRemaining = ops.length - infoCount;

  // The stack of choices: the operation placed, the state before it, the configuration key after
  // it, and (for an info choice) the completion slot that bounded the candidates.
  const stackOp: number[] = [];
  const stackState: State[] = [];
  const stackKey: string[] = [];
  const stackBoundary: number[] = [];

  const mark = (i: number, on: boolean) => {
    const k = infoIndex[i] as number;
    if (on) setBit(k < 0 ? okWords : infoWords, k < 0 ? i : k);
    else clearBit(k < 0 ? okWords : infoWords, k < 0 ? i : k);
  };
  const sameState = (a: State, b: State) => (model.equal ? model.equal(a, b) : model.hash(a) === model.hash(b));
  /**
   * Partial-order reduction for chains of info operations: if the last choice was info operation
   * `y` and placing info operation `x` now gives the same state as placing `x` instead of `y`, the
   * configuration is subsumed by that sibling (fewer info operations, same `ok` set and state),
   * which the parent explores anyway.
   */
  const overwritesLastInfo = (op: Operation, after: State): boolean => {
    const top = stackOp[stackOp.length - 1];
    if (top === undefined || (infoIndex[top] as number) < 0) return false;
    const alt = model.step(stackState[stackState.length - 1] as State, op, undefined);
    return alt.ok && sameState(alt.state, after);
  };

  let state = model.init();
  let phase: 'ok' | 'info' = 'ok';
  /** In the ok phase, the slot being looked at; in the info phase, the class. */
  let entry = list.next[MAIN_HEAD] as number;
  let boundary = NIL;
  let steps = 0;
  let bestDepth = -1;
  let best: Pick<SearchOutcome<State>, 'prefix' | 'failed' | 'stateBefore' | 'candidates'> = {};

  /** Tries to place operation `i` now; true if it was pushed. */
  const tryPlace = (i: number): boolean => {
    const op = ops[i] as Operation;
    const info = op.status !== 'ok';
    const r = model.step(state, op, info ? undefined : op.output);
    if (!r.ok) return false;
    if (info && overwritesLastInfo(op, r.state)) return false;
    mark(i, true);
    const key = `${bitsKey(okWords)}|${model.hash(r.state)}`;
    if (cache.subsumes(key, infoWords, r.state)) {
      mark(i, false);
      return false;
    }
    stackOp.push(i);
    stackState.push(state);
    stackKey.push(key);
    stackBoundary.push(boundary);
    state = r.state;
    if (info) pool.place(pool.classOf[i] as number);
    else {
      list.lift(list.callSlot[i] as number);
      okRemaining--;
    }
    return true;
  };

  while (okRemaining > 0) {
    if (steps >= limits.maxSteps) return { result: 'unknown', steps, cacheEntries: cache.size };
    steps++;
    if (phase === 'ok') {
      if (entry !== NIL && list.kind[entry] === SlotKind.Call) {
        entry = tryPlace(list.op[entry] as number) ? (list.next[MAIN_HEAD] as number) : (list.next[entry] as number);
        continue;
      }
      // The first completion: only invocations before it are candidates. Now the info ones.
      boundary = entry;
      phase = 'info';
      entry = 0;
      continue;
    }
    if (entry < pool.classes) {
      const i = pool.candidate(entry, boundary);
      if (i >= 0 && tryPlace(i)) {
        phase = 'ok';
        entry = list.next[MAIN_HEAD] as number;
      } else {
        entry++;
      }
      continue;
    }
    // Every candidate failed: the operation completing at `boundary` cannot be placed in time.
    if (stackOp.length > bestDepth && boundary !== NIL) {
      bestDepth = stackOp.length;
      best = {
        prefix: [...stackOp],
        failed: list.op[boundary] as number,
        stateBefore: state,
        candidates: [...pendingBefore(list, boundary), ...pool.pendingBefore(boundary, MAX_CANDIDATES)].slice(0, MAX_CANDIDATES),
      };
    }
    const i = stackOp.pop();
    if (i === undefined) return { result: 'illegal', steps, cacheEntries: cache.size, ...best };
    cache.add(stackKey.pop() as string, infoWords, state);
    state = stackState.pop() as State;
    boundary = stackBoundary.pop() as number;
    mark(i, false);
    const c = pool.classOf[i] as number;
    if (c < 0) {
      const slot = list.callSlot[i] as number;
      list.unlift(slot);
      okRemaining++;
      phase = 'ok';
      entry = list.next[slot] as number;
    } else {
      pool.unplace(c);
      phase = 'info';
      entry = c + 1;
    }
  }
  return { result: 'ok', steps, cacheEntries: cache.size, linearization: [...stackOp] };
}

/** The `ok` operations invoked, and not yet placed, before the completion at `stop`. */
function pendingBefore(list: EntryList, stop: number): number[] {
  const out: number[] = [];
  for (let e = list.next[MAIN_HEAD] as number; e !== NIL && e < stop && out.length < MAX_CANDIDATES; e = list.next[e] as number) {
    if (list.kind[e] === SlotKind.Call) out.push(list.op[e] as number);
  }
  return out;
}
