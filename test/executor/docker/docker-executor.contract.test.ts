/**
 * The Executor contract, run against DockerExecutor on the real engine, in real time. Each test
 * gets its own scope (so its listTasks sees only its containers) and its clean-up removes them.
 */
import { contractTask, executorContract, type ExecutorContractHarness } from '../../contracts/executor.contract.js';
import { DockerExecutor } from '../../../src/executor/docker/index.js';
import { dockerSuite, fileScope, freshId, removeScope, sleep, SOCKET_PATH, within } from './support.js';

const scope = fileScope('contract');
let harnesses = 0;

function harness(): ExecutorContractHarness {
  const mine = `${scope}-${++harnesses}`;
  const executor = new DockerExecutor({ socketPath: SOCKET_PATH, scope: mine, pollIntervalMs: 1_000 });
  return {
    executor,
    task: (overrides) => contractTask(freshId(), overrides, Date.now()),
    settle: (promise, timeoutMs) => within(promise, timeoutMs),
    advance: (ms) => sleep(ms),
    cleanup: async () => {
      for (const t of await executor.listTasks()) await executor.controller(contractTask(t.taskId)).remove();
      executor.close();
      await removeScope(mine);
    },
  };
}

dockerSuite('DockerExecutor on the real engine', () => {
  executorContract('DockerExecutor', harness);
});
