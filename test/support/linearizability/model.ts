import type { Operation, OperationCall } from './history.js';

/** The outcome of applying one operation to a model state. */
export interface StepResult<State> {
  /** Whether the operation, with the output it returned, is legal in the state it was applied to. */
  readonly ok: boolean;
  /** The state after the operation (meaningful only when `ok`). */
  readonly state: State;
}

/**
 * A sequential specification: what a single-copy object would do. The checker searches for an
 * order of the history's operations that this specification accepts.
 *
 * Contract:
 * - `step` is pure, never mutates `state`, and depends only on the call's `kind`, `key` and `input`
 *   and on `output` (the checker passes whole operations, but treats two `info` operations with the
 *   same kind, key and input as interchangeable).
 * - `step` with `output === undefined` (an operation whose outcome is unknown) must accept any
 *   state: it applies the operation's effect as if it had happened.
 * - `hash` is a canonical key: equal states give equal hashes. If two different states can share a
 *   hash, supply `equal` as well.
 * - `partition`, when present, splits the operations into groups that can be checked
 *   independently (P-compositionality): the whole history is linearizable iff every group is.
 */
export interface Model<State, Input = unknown, Output = unknown> {
  /** Short name for reports. */
  readonly name: string;
  init(): State;
  step(state: State, input: OperationCall<Input>, output: Output | undefined): StepResult<State>;
  partition?(ops: readonly Operation<Input, Output>[]): Operation<Input, Output>[][];
  /**
   * Optional: drops `info` operations that provably cannot change the verdict, i.e. whenever the
   * history has a linearization in which they take effect, it has one in which they do not. Called
   * once per partition before the search; a sound simplification only ever shrinks the search.
   */
  simplify?(ops: readonly Operation<Input, Output>[]): Operation<Input, Output>[];
  hash(state: State): string;
  equal?(a: State, b: State): boolean;
  /** A human rendering of a state for violation reports; defaults to `hash`. */
  describeState?(state: State): string;
}
