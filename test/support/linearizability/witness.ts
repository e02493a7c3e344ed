import type { Operation } from './history.js';
import type { Model } from './model.js';

/**
 * Independently verifies a witness order returned for an `ok` verdict: it holds every `ok`
 * operation of `ops` once, no `fail` operation, never puts an operation after one that was invoked
 * after it returned (real-time order), and the model accepts it step by step. Returns the problems
 * found, empty when the witness is sound.
 */
export function witnessProblems<State>(ops: readonly Operation[], order: readonly Operation[], model: Model<State>): string[] {
  const problems: string[] = [];
  const placed = new Set(order.map((o) => o.id));
  if (placed.size !== order.length) problems.push('an operation appears twice');
  for (const op of ops) {
    if (op.status === 'ok' && !placed.has(op.id)) problems.push(`ok operation #${op.id} is missing`);
    if (op.status === 'fail' && placed.has(op.id)) problems.push(`failed operation #${op.id} is placed`);
  }
  for (let i = 0; i < order.length; i++) {
    const a = order[i] as Operation;
    for (let j = i + 1; j < order.length; j++) {
      const b = order[j] as Operation;
      if (b.status === 'ok' && b.return !== undefined && b.return < a.call) {
        problems.push(`#${a.id} is placed before #${b.id}, which returned before #${a.id} was invoked`);
      }
    }
  }
  let state = model.init();
  for (const op of order) {
    const step = model.step(state, op, op.status === 'ok' ? op.output : undefined);
    if (!step.ok) {
      problems.push(`the model rejects #${op.id} in state ${model.hash(state)}`);
      break;
    }
    state = step.state;
  }
  return problems;
}
