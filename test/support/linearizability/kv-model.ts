import type { Operation } from './history.js';
import type { Model } from './model.js';
import { stepRegister } from './register-model.js';
import { showValue, simplifyRegisterOps } from './unobserved.js';
import type { RegisterModelOptions, RegisterValue } from './register-model.js';

/**
 * A key-value store state: the keys whose value differs from the initial one. Missing keys hold
 * the initial value, so every state has exactly one representation.
 */
export type KvState = Readonly<Record<string, RegisterValue>>;

/**
 * A key-value store of independent read/write/cas registers. It partitions the history by key,
 * so each key is searched on its own: the cost grows with the concurrency within one key rather
 * than with the whole history, which is what makes long histories tractable.
 *
 * @example
 * ```ts
 * const result = checkLinearizable(history, kvModel());
 * expect(result.result, describeViolation(result)).toBe('ok');
 * ```
 */
export function kvModel(options: RegisterModelOptions = {}): Model<KvState> {
  const initial = options.initial ?? null;
  const hash = (state: KvState): string =>
    JSON.stringify(
      Object.keys(state)
        .sort()
        .map((k) => [k, state[k]]),
    );
  return {
    name: 'kv',
    init: () => ({}),
    step(state, call, output) {
      const before = Object.hasOwn(state, call.key) ? (state[call.key] as RegisterValue) : initial;
      const r = stepRegister(before, call, output);
      if (!r.ok || r.state === before) return { ok: r.ok, state };
      const next: Record<string, RegisterValue> = { ...state };
      if (r.state === initial) delete next[call.key];
      else next[call.key] = r.state;
      return { ok: true, state: next };
    },
    partition(ops: readonly Operation[]): Operation[][] {
      const byKey = new Map<string, Operation[]>();
      for (const op of ops) {
        let group = byKey.get(op.key);
        if (group === undefined) byKey.set(op.key, (group = []));
        group.push(op);
      }
      return [...byKey.keys()].sort().map((k) => byKey.get(k) as Operation[]);
    },
    simplify: (ops) => simplifyRegisterOps(ops, true),
    hash,
    describeState: (state) => {
      const keys = Object.keys(state).sort();
      return keys.length === 0 ? `{} (every key holds ${JSON.stringify(initial)})` : `{ ${keys.map((k) => `${k}: ${showValue(state[k] as RegisterValue)}`).join(', ')} }`;
    },
  };
}
