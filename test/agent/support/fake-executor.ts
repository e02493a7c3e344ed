import type { NodeDescription, Task } from '../../../src/api/index.js';
import { ClosedError } from '../../../src/errors/index.js';
import {
  ControllerError,
  type Controller,
  type ControllerStatus,
  type Executor,
  type ExistingTask,
  type ExitStatus,
  type ShutdownOptions,
} from '../../../src/executor/index.js';
import type { Clock } from '../../../src/runtime/index.js';

/** How a fake task behaves. Times are virtual milliseconds. */
export interface Script {
  readonly prepareMs?: number;
  /** Thrown by the first `prepareFailures` prepare calls (default: every call). */
  readonly prepareError?: ControllerError;
  readonly prepareFailures?: number;
  readonly startMs?: number;
  readonly startError?: ControllerError;
  /** How long the process runs before exiting by itself (default: forever). */
  readonly runMs?: number;
  readonly exitCode?: number;
  readonly exitMessage?: string;
  /** Killed for failing its healthcheck this long after it started. */
  readonly unhealthyAfterMs?: number;
  /** How long the process takes to stop after its stop signal (default 0). */
  readonly stopMs?: number;
}

interface Waiter {
  readonly resolve: (exit: ExitStatus) => void;
  readonly reject: (err: unknown) => void;
}

/** One fake container; survives agents (it belongs to the executor). */
export class FakeContainer {
  state: 'absent' | 'created' | 'running' | 'exited' = 'absent';
  exit: ExitStatus | undefined;
  starts = 0;
  prepares = 0;
  graceGiven: number[] = [];
  readonly waiters = new Set<Waiter>();
  unhealthy = false;

  constructor(readonly taskId: string) {}

  get containerId(): string {
    return `ctr-${this.taskId}`;
  }

  end(exit: ExitStatus, error?: unknown): void {
    if (this.state !== 'running') return;
    this.state = 'exited';
    this.exit = exit;
    for (const w of [...this.waiters]) {
      if (error !== undefined) w.reject(error);
      else w.resolve(exit);
    }
    this.waiters.clear();
  }
}

/** A scriptable executor on a virtual clock, for agent tests. */
export class FakeExecutor implements Executor {
  readonly containers = new Map<string, FakeContainer>();
  readonly removed: string[] = [];
  readonly log: string[] = [];
  script: (task: Task) => Script = () => ({});

  constructor(
    readonly clock: Clock,
    readonly hostname = 'fake-node',
  ) {}

  describe(): Promise<NodeDescription> {
    return Promise.resolve({
      hostname: this.hostname,
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
      engine: { version: 'fake-1' },
    });
  }

  controller(task: Task): Controller {
    return new FakeController(this, task);
  }

  listTasks(): Promise<readonly ExistingTask[]> {
    return Promise.resolve([...this.containers.values()].filter((c) => c.state !== 'absent').map((c) => ({ taskId: c.taskId, containerId: c.containerId })));
  }

  container(taskId: string): FakeContainer {
    let c = this.containers.get(taskId);
    if (c === undefined) {
      c = new FakeContainer(taskId);
      this.containers.set(taskId, c);
    }
    return c;
  }

  /** Puts a container in place as if an earlier agent had started it. */
  seed(taskId: string, state: 'created' | 'running' | 'exited', exit?: ExitStatus): FakeContainer {
    const c = this.container(taskId);
    c.state = state;
    if (state === 'running' || state === 'exited') c.starts = 1;
    c.exit = exit;
    return c;
  }

  delay(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms ?? 0));
  }
}

class FakeController implements Controller {
  private closed = false;
  private failuresLeft: number | undefined;

  constructor(
    private readonly executor: FakeExecutor,
    public task: Task,
  ) {}

  private get c(): FakeContainer {
    return this.executor.container(this.task.id);
  }

  private get script(): Script {
    return this.executor.script(this.task);
  }

  private guard(): void {
    if (this.closed) throw new ClosedError(`controller ${this.task.id}`);
  }

  async prepare(): Promise<void> {
    this.guard();
    this.executor.log.push(`prepare ${this.task.id}`);
    if (this.c.state !== 'absent') return;
    const s = this.script;
    await this.executor.delay(s.prepareMs);
    if (s.prepareError !== undefined) {
      this.failuresLeft ??= s.prepareFailures ?? Infinity;
      if (this.failuresLeft > 0) {
        this.failuresLeft--;
        throw s.prepareError;
      }
    }
    this.c.prepares++;
    if (this.c.state === 'absent') this.c.state = 'created';
  }

  async start(): Promise<void> {
    this.guard();
    this.executor.log.push(`start ${this.task.id}`);
    const c = this.c;
    if (c.state === 'running' || c.state === 'exited') return;
    if (c.state === 'absent') throw new ControllerError('TASK_START_FAILED', 'no such container');
    const s = this.script;
    await this.executor.delay(s.startMs);
    if (s.startError !== undefined) throw s.startError;
    if (c.state !== 'created') return;
    c.state = 'running';
    c.starts++;
    const clock = this.executor.clock;
    if (s.runMs !== undefined) clock.setTimeout(() => c.end({ exitCode: s.exitCode ?? 0, ...(s.exitMessage ? { message: s.exitMessage } : {}) }), s.runMs);
    if (s.unhealthyAfterMs !== undefined) {
      clock.setTimeout(() => {
        c.unhealthy = true;
        c.end({ exitCode: 137 }, new ControllerError('TASK_UNHEALTHY', 'container unhealthy: healthcheck failed 3 times'));
      }, s.unhealthyAfterMs);
    }
  }

  wait(): Promise<ExitStatus> {
    try {
      this.guard();
    } catch (e) {
      return Promise.reject(e);
    }
    const c = this.c;
    if (c.state === 'exited') {
      if (c.unhealthy) return Promise.reject(new ControllerError('TASK_UNHEALTHY', 'container unhealthy: healthcheck failed 3 times'));
      return Promise.resolve(c.exit ?? { exitCode: 0 });
    }
    return new Promise((resolve, reject) => c.waiters.add({ resolve, reject }));
  }

  async shutdown(options: ShutdownOptions): Promise<void> {
    this.guard();
    this.executor.log.push(`shutdown ${this.task.id} grace=${options.gracePeriodMs}`);
    const c = this.c;
    c.graceGiven.push(options.gracePeriodMs);
    if (c.state !== 'running') return;
    const stopMs = this.script.stopMs ?? 0;
    await this.executor.delay(Math.min(stopMs, options.gracePeriodMs));
    c.end({ exitCode: stopMs <= options.gracePeriodMs ? 0 : 137 });
  }

  async terminate(): Promise<void> {
    this.guard();
    this.c.end({ exitCode: 137 });
  }

  async remove(): Promise<void> {
    this.guard();
    this.executor.log.push(`remove ${this.task.id}`);
    const c = this.c;
    c.end({ exitCode: 137 });
    c.state = 'absent';
    this.executor.containers.delete(this.task.id);
    this.executor.removed.push(this.task.id);
  }

  async inspect(): Promise<ControllerStatus> {
    this.guard();
    const c = this.executor.containers.get(this.task.id);
    if (c === undefined || c.state === 'absent') return { state: 'absent' };
    return { state: c.state, containerId: c.containerId, ...(c.exit !== undefined && c.state === 'exited' ? { exit: c.exit } : {}) };
  }

  update(task: Task): void {
    this.task = task;
  }

  close(): void {
    this.closed = true;
  }
}
