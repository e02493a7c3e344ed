import type { History, Operation } from './history.js';
import type { Model } from './model.js';

/** Largest history {@link bruteForceLinearizable} accepts; the search is exponential. */
export const MAX_BRUTE_FORCE_OPERATIONS = 10;

/**
 * A deliberately naive reference checker, for differential tests of {@link checkLinearizable} on
 * tiny histories: it tries every order, with no entry list, no cache and no partitioning. An
 * operation may come next when no unplaced `ok` operation returned strictly before it was invoked
 * (the same tie rule as the checker without sequence numbers); `fail` operations are dropped and
 * `info` operations may be placed or left out.
 */
export function bruteForceLinearizable<State>(history: History, model: Model<State>): boolean {
  const ops = history.filter((o) => o.status !== 'fail');
  if (ops.length > MAX_BRUTE_FORCE_OPERATIONS) throw new RangeError(`brute force takes at most ${MAX_BRUTE_FORCE_OPERATIONS} operations`);
  const placed = new Array<boolean>(ops.length).fill(false);
  const mustPlace = ops.filter((o) => o.status === 'ok').length;
  const go = (state: State, done: number): boolean => {
    if (done === mustPlace) return true;
    for (let i = 0; i < ops.length; i++) {
      if (placed[i]) continue;
      const op = ops[i] as Operation;
      const blocked = ops.some((p, j) => !placed[j] && j !== i && p.status === 'ok' && (p.return as number) < op.call);
      if (blocked) continue;
      const r = model.step(state, op, op.status === 'ok' ? op.output : undefined);
      if (!r.ok) continue;
      placed[i] = true;
      const found = go(r.state, done + (op.status === 'ok' ? 1 : 0));
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return go(model.init(), 0);
}
