import { InvariantViolationError } from './invariant-error.js';
import type { RaftSimulationOptions } from './options.js';
import { RaftSimulation, type SimulationResult } from './simulation.js';

/**
 * Options of {@link runSeeds}.
 *
 * @public
 */
export interface SeedSweepOptions {
  /** The first seed. */
  readonly from: number;
  /** How many consecutive seeds to run. */
  readonly count: number;
  /** Only every `stride`-th seed from `from` (with `offset`), to split a sweep across workers. Default 1. */
  readonly stride?: number;
  /** Which residue of the stride this sweep takes. Default 0. */
  readonly offset?: number;
  /** Options for every run, besides the seed. */
  readonly options?: Omit<RaftSimulationOptions, 'seed'>;
  /** Called after every seed, passed or failed. */
  readonly onSeed?: (seed: number, outcome: SimulationResult | InvariantViolationError) => void;
}

/**
 * The outcome of a sweep: how many seeds passed and which failed (with their errors).
 *
 * @public
 */
export interface SeedSweepReport {
  readonly passed: number;
  readonly failures: readonly { readonly seed: number; readonly error: InvariantViolationError }[];
}

/**
 * Runs {@link RaftSimulation.run} for a range of seeds, one after another. An invariant
 * violation is collected, not thrown; any other error (a bug in the simulator) is thrown.
 *
 * @public
 */
export async function runSeeds(sweep: SeedSweepOptions): Promise<SeedSweepReport> {
  const stride = sweep.stride ?? 1;
  const offset = sweep.offset ?? 0;
  const failures: { seed: number; error: InvariantViolationError }[] = [];
  let passed = 0;
  for (let i = offset; i < sweep.count; i += stride) {
    const seed = sweep.from + i;
    try {
      const result = await new RaftSimulation({ ...sweep.options, seed }).run();
      passed++;
      sweep.onSeed?.(seed, result);
    } catch (error) {
      if (!(error instanceof InvariantViolationError)) throw error;
      failures.push({ seed, error });
      sweep.onSeed?.(seed, error);
    }
  }
  return { passed, failures };
}
