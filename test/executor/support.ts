import type { Task } from '../../src/api/index.js';
import type { ControllerError } from '../../src/executor/index.js';
import { isFlotillaError } from '../../src/errors/index.js';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import { SimulatedExecutor, type SimulatedExecutorOptions } from '../../src/executor/simulated/index.js';
import { contractTask, type ContractTaskOverrides } from '../contracts/executor.contract.js';

/** The virtual clock starts here, so timestamps look like real ones. */
export const T0 = 1_700_000_000_000;

/** A simulated node on a virtual clock; latencies are 0 unless a test asks for them. */
export interface SimNode {
  readonly clock: VirtualClock;
  readonly executor: SimulatedExecutor;
  /** A task with a fresh id (from the seeded stream). */
  task(overrides?: ContractTaskOverrides): Task;
  /** Awaits `promise` under virtual time (default bound: 1 hour of virtual time). */
  settle<T>(promise: Promise<T>, timeout?: number): Promise<T>;
  /** Virtual milliseconds since the node was made. */
  elapsed(): number;
}

export function simNode(seed: number | string = 1, options: Partial<SimulatedExecutorOptions> = {}): SimNode {
  const clock = new VirtualClock({ start: T0 });
  const random = Random.fromSeed(seed);
  const ids = random.fork('task-ids');
  const executor = new SimulatedExecutor({
    clock,
    random: random.fork('executor'),
    hostname: 'sim-1',
    resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
    pullLatency: 0,
    createLatency: 0,
    startLatency: 0,
    ...options,
  });
  return {
    clock,
    executor,
    task: (overrides) => contractTask(ids.id(), overrides, clock.now()),
    settle: (promise, timeout = 3_600_000) => clock.settle(promise, { timeout }),
    elapsed: () => clock.now() - T0,
  };
}

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<ControllerError> {
  try {
    await promise;
  } catch (e) {
    if (!isFlotillaError(e)) throw e;
    return e as ControllerError;
  }
  throw new Error('expected a rejection');
}

/** Tracks whether a promise has settled, without letting a rejection go unhandled. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly value: T | undefined; readonly error: unknown } {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (v) => {
      state.settled = true;
      state.value = v;
    },
    (e: unknown) => {
      state.settled = true;
      state.error = e;
    },
  );
  return state;
}
