import type { OperationCall } from './history.js';
import type { Model, StepResult } from './model.js';
import { showValue, simplifyRegisterOps } from './unobserved.js';

/** A value a register holds: a JSON primitive, compared with `===`. */
export type RegisterValue = string | number | boolean | null;

/** The input of a compare-and-set: swap to `to` if the register holds `from`. */
export interface CasInput {
  readonly from: RegisterValue;
  readonly to: RegisterValue;
}

/** Options for {@link registerModel}. */
export interface RegisterModelOptions {
  /** The value before any write; defaults to `null`. */
  readonly initial?: RegisterValue;
}

/**
 * Applies one register operation to `value`. Shared by {@link registerModel} and the per-key
 * {@link kvModel}.
 *
 * - read: legal iff the output equals the value (an unknown output is always legal).
 * - write: always legal; the value becomes the input.
 * - cas: output `true` is legal iff the value equals `from` (then it becomes `to`); output `false`
 *   is legal iff it does not; an unknown output swaps when the comparison holds.
 */
export function stepRegister(value: RegisterValue, call: OperationCall, output: unknown): StepResult<RegisterValue> {
  switch (call.kind) {
    case 'read':
      return { ok: output === undefined || output === value, state: value };
    case 'write':
      return { ok: true, state: asValue(call.input, 'write input') };
    case 'cas': {
      const { from, to } = asCas(call.input);
      const matches = value === from;
      if (output === undefined) return { ok: true, state: matches ? to : value };
      if (typeof output !== 'boolean') throw new TypeError(`cas output must be a boolean, got ${JSON.stringify(output)}`);
      return { ok: output === matches, state: output ? to : value };
    }
  }
}

/**
 * A single read/write/cas register. Keys are ignored: every operation acts on the one value, so
 * the whole history is searched at once. Use {@link kvModel} for per-key registers.
 *
 * @example
 * ```ts
 * checkLinearizable(history, registerModel({ initial: 0 }));
 * ```
 */
export function registerModel(options: RegisterModelOptions = {}): Model<RegisterValue> {
  const initial = options.initial ?? null;
  return {
    name: 'register',
    init: () => initial,
    step: stepRegister,
    simplify: (ops) => simplifyRegisterOps(ops, false),
    hash: (v) => JSON.stringify(v),
    describeState: showValue,
  };
}

/** Narrows an unknown input to a register value, or throws a TypeError naming `what`. */
export function asValue(x: unknown, what: string): RegisterValue {
  if (x === null || typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))) return x;
  throw new TypeError(`${what} must be a string, finite number, boolean or null, got ${JSON.stringify(x)}`);
}

function asCas(x: unknown): CasInput {
  if (typeof x !== 'object' || x === null || !('from' in x) || !('to' in x)) {
    throw new TypeError(`cas input must be { from, to }, got ${JSON.stringify(x)}`);
  }
  return { from: asValue(x.from, 'cas from'), to: asValue(x.to, 'cas to') };
}
