import { Random, VirtualClock } from '../../src/runtime/index.js';
import { SimulatedExecutor, type SimulatedExecutorOptions } from '../../src/executor/simulated/index.js';
import { contractTask, executorContract, MISSING_IMAGE, type ExecutorContractHarness } from '../contracts/executor.contract.js';

const SEED = 20240611;

function harness(seed: number, options: Partial<SimulatedExecutorOptions> = {}): ExecutorContractHarness {
  const clock = new VirtualClock({ start: 1_700_000_000_000 });
  const random = Random.fromSeed(seed);
  const ids = random.fork('task-ids');
  const executor = new SimulatedExecutor({
    clock,
    random: random.fork('executor'),
    hostname: 'sim-contract',
    resources: { nanoCpus: 2e9, memoryBytes: 4 * 2 ** 30 },
    missingImages: [MISSING_IMAGE],
    ...options,
  });
  return {
    executor,
    task: (overrides) => contractTask(ids.id(), overrides, clock.now()),
    settle: (promise, timeoutMs) => clock.settle(promise, { timeout: timeoutMs }),
    advance: (ms) => clock.advanceAsync(ms),
    cleanup: async () => {
      for (const t of await executor.listTasks()) await clock.settle(executor.controller(contractTask(t.taskId)).remove());
    },
  };
}

executorContract(`SimulatedExecutor on a virtual clock (seed ${SEED})`, () => harness(SEED));

executorContract(`SimulatedExecutor with no latency and only busybox known (seed ${SEED + 1})`, () =>
  harness(SEED + 1, { pullLatency: 0, createLatency: 0, startLatency: 0, images: ['busybox'], missingImages: [] }),
);

executorContract(`SimulatedExecutor with slow, jittery pulls and starts (seed ${SEED + 2})`, () =>
  harness(SEED + 2, { pullLatency: { min: '1s', max: '3s' }, createLatency: { min: 50, max: 400 }, startLatency: { min: 100, max: 900 } }),
);
