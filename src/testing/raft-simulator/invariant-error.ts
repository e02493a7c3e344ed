import { InvalidStateError } from '../../errors/index.js';

/**
 * The properties a {@link RaftSimulation} checks:
 * - `electionSafety`: at most one leader per term;
 * - `logMatching`: two logs with an entry of the same index and term hold the same entries up to
 *   there;
 * - `leaderCompleteness`: an entry committed before a leader was elected is in that leader's log;
 * - `stateMachineSafety`: every member applies the same sequence of values (prefixes agree), each
 *   value at one index only;
 * - `durability`: a write acknowledged to a client is applied, at its index, on every member in
 *   the end; a write reported lost is never applied;
 * - `liveness`: once faults stop, a leader is elected and a new write commits within the bound;
 * - `exception`: raft code threw an unexpected error while the simulation ran it.
 *
 * @public
 */
export type InvariantName = 'electionSafety' | 'logMatching' | 'leaderCompleteness' | 'stateMachineSafety' | 'durability' | 'liveness' | 'exception';

/**
 * A simulation broke a raft invariant. The message names the invariant, the seed that replays the
 * run (`SEED=<n>`) and the last events before the violation.
 *
 * @public
 */
export class InvariantViolationError extends InvalidStateError {
  /** The seed that reproduces the run. */
  readonly seed: string;
  /** Which invariant broke. */
  readonly invariant: InvariantName;
  /** What exactly was wrong. */
  readonly detail: string;
  /** The most recent simulation events, oldest first. */
  readonly trace: readonly string[];
  /** Simulated time of the violation, in milliseconds. */
  readonly at: number;

  constructor(init: { seed: string; invariant: InvariantName; detail: string; trace: readonly string[]; at: number; cause?: unknown }) {
    const events = init.trace.map((line) => `  ${line}`).join('\n');
    super(`raft simulation: ${init.invariant} violated at ${(init.at / 1000).toFixed(3)}s: ${init.detail}\nSEED=${init.seed}\nlast events:\n${events}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.seed = init.seed;
    this.invariant = init.invariant;
    this.detail = init.detail;
    this.trace = init.trace;
    this.at = init.at;
  }
}
