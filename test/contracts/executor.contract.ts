/**
 * The behaviour every Executor keeps, whatever runs its containers: one suite, run against each
 * implementation (SimulatedExecutor on a virtual clock now, DockerExecutor on a real engine
 * later). Specs use busybox commands that mean the same on both, and timings stay small (every
 * process ends within a second or two of real time), so the Docker run stays fast.
 *
 * Only what the seam promises is checked. Exit codes of stopped processes are not (a real
 * `sleep` running as PID 1 ignores SIGTERM and is killed after the grace period; a simulated one
 * exits at once), only that they are not 0.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContainerSpec, Task } from '../../src/api/index.js';
import { isFlotillaError } from '../../src/errors/index.js';
import type { Controller, ControllerError, Executor, LogLine } from '../../src/executor/index.js';

/** An image no registry has; a harness must make pulling it fail. */
export const MISSING_IMAGE = 'flotilla-test/does-not-exist:1';

/** What a contract test may change in the task it builds. */
export interface ContractTaskOverrides {
  /** Merged over `{ image: 'busybox' }`. */
  readonly container?: Partial<ContainerSpec>;
  readonly serviceName?: string;
  readonly slot?: number;
}

/** An executor under test, and time as that executor experiences it. */
export interface ExecutorContractHarness {
  readonly executor: Executor;
  /** A task with a unique id, for the executor's node, with `spec.container` from `overrides`. */
  task(overrides?: ContractTaskOverrides): Task;
  /**
   * Awaits `promise`, letting time pass (virtual: moves the clock; real: waits), and fails the
   * test if it has not settled after `timeoutMs`.
   */
  settle<T>(promise: Promise<T>, timeoutMs: number): Promise<T>;
  /** Lets `ms` of time pass (virtual: advances the clock; real: waits). */
  advance(ms: number): Promise<void>;
  /** Removes whatever the test left behind. */
  cleanup(): Promise<void>;
}

/** Builds a task the way the orchestrator would, for harnesses to use in `task()`. */
export function contractTask(id: string, overrides: ContractTaskOverrides = {}, now = 0): Task {
  return {
    id,
    meta: { version: 1, createdAt: now, updatedAt: now },
    serviceId: 'contract-service',
    serviceName: overrides.serviceName ?? 'contract',
    slot: overrides.slot ?? 1,
    nodeId: 'contract-node',
    spec: { container: { image: 'busybox', ...overrides.container } },
    specVersion: 1,
    status: { state: 'assigned', timestamp: now, message: 'assigned' },
    desiredState: 'running',
  };
}

/** Generous bound for one step; steps here take well under a second. */
const STEP = 5_000;
const QUICK_HEALTH = { interval: '100ms', timeout: '1s', retries: 2 } as const;

async function rejection(promise: Promise<unknown>): Promise<ControllerError> {
  try {
    await promise;
  } catch (e) {
    expect(isFlotillaError(e)).toBe(true);
    return e as ControllerError;
  }
  throw new Error('expected the promise to reject');
}

export function executorContract(name: string, makeHarness: () => ExecutorContractHarness | Promise<ExecutorContractHarness>): void {
  describe(`${name} keeps the Executor contract`, () => {
    let h: ExecutorContractHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    /** Prepares and starts `task`; returns its controller. */
    async function started(task: Task): Promise<Controller> {
      const ctl = h.executor.controller(task);
      await h.settle(ctl.prepare(), STEP);
      await h.settle(ctl.start(), STEP);
      return ctl;
    }

    it('describes its node: hostname, platform, positive capacity, engine version', async () => {
      const d = await h.executor.describe();
      expect(d.hostname).not.toBe('');
      expect(d.platform.os).not.toBe('');
      expect(d.platform.architecture).not.toBe('');
      expect(d.resources.nanoCpus ?? 0).toBeGreaterThan(0);
      expect(d.resources.memoryBytes ?? 0).toBeGreaterThan(0);
      expect(d.engine.version).not.toBe('');
    });

    it('runs a task to completion: exit 0', async () => {
      const ctl = await started(h.task({ container: { command: ['sh', '-c', 'exit 0'] } }));
      expect(await h.settle(ctl.wait(), STEP)).toMatchObject({ exitCode: 0 });
      expect(await ctl.inspect()).toMatchObject({ state: 'exited', exit: { exitCode: 0 } });
    });

    it('reports a failing exit code: exit 3', async () => {
      const ctl = await started(h.task({ container: { command: ['sh', '-c', 'sleep 0.2; exit 3'] } }));
      expect(await h.settle(ctl.wait(), STEP)).toMatchObject({ exitCode: 3 });
      expect(await ctl.inspect()).toMatchObject({ state: 'exited', exit: { exitCode: 3 } });
    });

    it('runs command and args together: true exits 0, false exits 1', async () => {
      const yes = await started(h.task({ container: { command: ['true'] } }));
      const no = await started(h.task({ container: { command: ['sh'], args: ['-c', 'false'] } }));
      expect((await h.settle(yes.wait(), STEP)).exitCode).toBe(0);
      expect((await h.settle(no.wait(), STEP)).exitCode).toBe(1);
    });

    it('keeps a long-running task running until shutdown, which ends it and resolves wait', async () => {
      const ctl = await started(h.task({ container: { command: ['sleep', '1000'] } }));
      let ended = false;
      const waiting = ctl.wait();
      waiting.then(
        () => (ended = true),
        () => (ended = true),
      );
      await h.advance(500);
      expect(ended).toBe(false);
      expect((await ctl.inspect()).state).toBe('running');
      await h.settle(ctl.shutdown({ gracePeriodMs: 500 }), STEP);
      const exit = await h.settle(waiting, STEP);
      expect(exit.exitCode).not.toBe(0);
      expect(await ctl.inspect()).toMatchObject({ state: 'exited' });
    });

    it('terminate kills a running task at once (exit 137)', async () => {
      const ctl = await started(h.task({ container: { command: ['sleep', '1000'] } }));
      await h.settle(ctl.terminate(), STEP);
      expect((await h.settle(ctl.wait(), STEP)).exitCode).toBe(137);
      expect((await ctl.inspect()).state).toBe('exited');
    });

    it('inspect reports absent, created, running and exited', async () => {
      const ctl = h.executor.controller(h.task({ container: { command: ['sh', '-c', 'sleep 1; exit 0'] } }));
      expect((await ctl.inspect()).state).toBe('absent');
      await h.settle(ctl.prepare(), STEP);
      const created = await ctl.inspect();
      expect(created.state).toBe('created');
      expect(created.containerId).toBeTruthy();
      await h.settle(ctl.start(), STEP);
      const running = await ctl.inspect();
      expect(running).toMatchObject({ state: 'running', containerId: created.containerId });
      await h.settle(ctl.wait(), STEP);
      expect(await ctl.inspect()).toMatchObject({ state: 'exited', containerId: created.containerId, exit: { exitCode: 0 } });
    });

    it('is idempotent: prepare, start, shutdown, terminate and remove may be repeated', async () => {
      const task = h.task({ container: { command: ['sleep', '1000'] } });
      const ctl = h.executor.controller(task);
      await h.settle(Promise.all([ctl.prepare(), ctl.prepare()]), STEP);
      await h.settle(ctl.prepare(), STEP);
      const { containerId } = await ctl.inspect();
      await h.settle(ctl.shutdown({ gracePeriodMs: 500 }), STEP); // never started: nothing to stop
      expect((await ctl.inspect()).state).toBe('created');
      await h.settle(Promise.all([ctl.start(), ctl.start()]), STEP);
      await h.settle(ctl.start(), STEP);
      await h.settle(ctl.prepare(), STEP);
      expect(await ctl.inspect()).toMatchObject({ state: 'running', containerId });
      await h.settle(Promise.all([ctl.shutdown({ gracePeriodMs: 500 }), ctl.shutdown({ gracePeriodMs: 500 })]), STEP);
      await h.settle(ctl.shutdown({ gracePeriodMs: 500 }), STEP);
      await h.settle(ctl.terminate(), STEP);
      await h.settle(ctl.start(), STEP); // an exited task is not started again
      expect(await ctl.inspect()).toMatchObject({ state: 'exited', containerId });
      await h.settle(ctl.remove(), STEP);
      await h.settle(ctl.remove(), STEP);
      expect((await ctl.inspect()).state).toBe('absent');
    });

    it('lists prepared tasks and forgets removed ones', async () => {
      const a = h.executor.controller(h.task({ container: { command: ['sleep', '1000'] } }));
      const b = h.executor.controller(h.task({ container: { command: ['sh', '-c', 'exit 0'] } }));
      await h.settle(Promise.all([a.prepare(), b.prepare()]), STEP);
      const before = (await h.executor.listTasks()).map((t) => t.taskId);
      expect(before).toEqual(expect.arrayContaining([a.task.id, b.task.id]));
      await h.settle(b.start(), STEP);
      await h.settle(b.wait(), STEP);
      expect((await h.executor.listTasks()).map((t) => t.taskId)).toContain(b.task.id); // exited still exists
      await h.settle(a.remove(), STEP);
      const after = await h.executor.listTasks();
      expect(after.map((t) => t.taskId)).not.toContain(a.task.id);
      expect(after.find((t) => t.taskId === b.task.id)?.containerId).toBe((await b.inspect()).containerId);
    });

    it('remove deletes a running task, and wait then resolves', async () => {
      const ctl = await started(h.task({ container: { command: ['sleep', '1000'] } }));
      const waiting = ctl.wait();
      await h.settle(ctl.remove(), STEP);
      expect((await h.settle(waiting, STEP)).exitCode).not.toBe(0);
      expect((await ctl.inspect()).state).toBe('absent');
      expect((await h.executor.listTasks()).map((t) => t.taskId)).not.toContain(ctl.task.id);
    });

    it('fails prepare for a missing image: TASK_PREPARE_FAILED, not temporary, naming the image', async () => {
      const ctl = h.executor.controller(h.task({ container: { image: MISSING_IMAGE, command: ['true'] } }));
      const e = await rejection(h.settle(ctl.prepare(), 30_000));
      expect(e.code).toBe('TASK_PREPARE_FAILED');
      expect(e.temporary).toBe(false);
      expect(e.message).toContain('flotilla-test/does-not-exist');
      expect((await ctl.inspect()).state).toBe('absent');
    });

    it.each([
      ['CMD', ['CMD', 'false']],
      ['CMD-SHELL', ['CMD-SHELL', 'exit 1']],
    ])('stops a task whose health check (%s) fails, and reports TASK_UNHEALTHY', async (_kind, test) => {
      const task = h.task({ container: { command: ['sleep', '1000'], stopGracePeriod: '500ms', healthcheck: { test, ...QUICK_HEALTH } } });
      const ctl = h.executor.controller(task);
      await h.settle(ctl.prepare(), STEP);
      const startError = await rejection(h.settle(ctl.start(), STEP));
      expect(startError.code).toBe('TASK_UNHEALTHY');
      const waitError = await rejection(h.settle(ctl.wait(), STEP));
      expect(waitError.code).toBe('TASK_UNHEALTHY');
      expect((await ctl.inspect()).state).toBe('exited');
    });

    it.each([
      ['CMD', ['CMD', 'true']],
      ['CMD-SHELL', ['CMD-SHELL', 'exit 0']],
    ])('lets start resolve once a passing health check (%s) makes the task healthy', async (_kind, test) => {
      const ctl = await started(h.task({ container: { command: ['sleep', '1000'], healthcheck: { test, ...QUICK_HEALTH } } }));
      await h.advance(300);
      expect((await ctl.inspect()).state).toBe('running');
      await h.settle(ctl.terminate(), STEP);
    });

    it('wait called before start waits for the start and the exit', async () => {
      const ctl = h.executor.controller(h.task({ container: { command: ['sh', '-c', 'sleep 0.2; exit 4'] } }));
      await h.settle(ctl.prepare(), STEP);
      const waiting = ctl.wait();
      await h.settle(ctl.start(), STEP);
      expect((await h.settle(waiting, STEP)).exitCode).toBe(4);
    });

    it('hands a new controller for the same task id the same container (adoption)', async () => {
      const task = h.task({ container: { command: ['sleep', '1000'] } });
      const first = await started(task);
      const waiting = first.wait();
      const firstStatus = await first.inspect();
      const second = h.executor.controller(task);
      expect(await second.inspect()).toMatchObject({ state: 'running', containerId: firstStatus.containerId });
      await h.settle(second.prepare(), STEP);
      await h.settle(second.start(), STEP);
      expect((await h.executor.listTasks()).filter((t) => t.taskId === task.id)).toHaveLength(1);
      await h.settle(second.shutdown({ gracePeriodMs: 500 }), STEP);
      expect((await h.settle(waiting, STEP)).exitCode).not.toBe(0);
      expect((await first.inspect()).state).toBe('exited');
    });

    it('update gives the controller the newer task', async () => {
      const task = h.task({ container: { command: ['true'] } });
      const ctl = h.executor.controller(task);
      const newer: Task = { ...task, desiredState: 'shutdown', meta: { ...task.meta, version: task.meta.version + 1 } };
      ctl.update(newer);
      expect(ctl.task).toBe(newer);
    });

    it('streams what the process writes, when the executor has logs', async () => {
      const logs = h.executor.logs?.bind(h.executor);
      if (logs === undefined) return;
      const ctl = await started(h.task({ container: { command: ['sh', '-c', 'echo hello-from-contract; exit 0'] } }));
      await h.settle(ctl.wait(), STEP);
      const lines: LogLine[] = [];
      for await (const line of logs(ctl.task, {})) lines.push(line);
      expect(lines).toContainEqual(expect.objectContaining({ taskId: ctl.task.id, stream: 'stdout', line: 'hello-from-contract' }));
    });
  });
}
