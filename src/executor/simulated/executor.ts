import type { GenericResource, Labels, NodeDescription, Task } from '../../api/index.js';
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import type { Clock, Logger, Random } from '../../runtime/index.js';
import type { Controller, ExitStatus } from '../controller.js';
import type { ExistingTask, Executor, LogLine, LogOptions } from '../executor.js';
import { BehaviourBook, type SimulatedBehaviour, type SimulatedBehaviours, type SimulatedBehaviourTarget, type SimulatedLatency } from './behaviour.js';
import type { SimulatedContainerState, SimulatedEndReason } from './container.js';
import { SimulatedController } from './controller.js';
import { SimulatedEngine } from './engine.js';
import type { SimulatedHealth } from './health.js';

/** The capacity a simulated node reports. @public */
export interface SimulatedNodeResources {
  /** CPU in units of 10^-9 CPUs (4e9 = four CPUs). */
  readonly nanoCpus: number;
  readonly memoryBytes: number;
  readonly generic?: readonly GenericResource[];
}

/** Options of {@link SimulatedExecutor}. @public */
export interface SimulatedExecutorOptions {
  /** Every delay, process and health probe runs on this clock (a `VirtualClock` in simulations). */
  readonly clock: Clock;
  /** The source of every jitter and id; the same seed and the same calls give the same run. */
  readonly random: Random;
  readonly hostname: string;
  readonly resources: SimulatedNodeResources;
  /** Default `{ os: 'linux', architecture: 'x86_64' }` (what a Docker engine on amd64 reports). */
  readonly platform?: { readonly os: string; readonly architecture: string };
  /** Default `'27.0.0-simulated'`. */
  readonly engineVersion?: string;
  readonly engineLabels?: Labels;
  /**
   * The images that exist (present or pullable). Unset: every image exists except the
   * `missingImages`. An entry without a tag or digest stands for every tag of its repository.
   */
  readonly images?: readonly string[];
  /** Images that cannot be pulled: `prepare` fails with `No such image: …`, not temporarily. */
  readonly missingImages?: readonly string[];
  /** Scripted behaviours by image, service and task id. */
  readonly behaviours?: SimulatedBehaviours;
  /** Pulling an image the node does not have yet (once per image). Default 100–500 ms. */
  readonly pullLatency?: SimulatedLatency;
  /** Creating a container, on every prepare. Default 5–20 ms. */
  readonly createLatency?: SimulatedLatency;
  /** Starting a container. Default 20–100 ms. */
  readonly startLatency?: SimulatedLatency;
  /**
   * Lines of output kept per container (older ones are dropped). Default 1000; 0 keeps none
   * (for very large simulations; the start and exit lines are still reported).
   */
  readonly maxLogLines?: number;
  readonly logger?: Logger;
}

/** A simulated container, as {@link SimulatedExecutor.containers} lists it. @public */
export interface SimulatedContainerInfo {
  readonly containerId: string;
  readonly taskId: string;
  readonly serviceName: string;
  readonly slot: number;
  readonly image: string;
  readonly state: SimulatedContainerState;
  readonly health: SimulatedHealth;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly exit?: ExitStatus;
  readonly endReason?: SimulatedEndReason;
}

/** Options of {@link SimulatedExecutor.kill}. @public */
export interface SimulatedKillOptions {
  /** The signal to deliver (default `SIGKILL`: exit 137); other signals may be trapped or ignored. */
  readonly signal?: string;
  /** End the process with this exit code instead (a crash with a chosen status). */
  readonly exitCode?: number;
}

/** Options of {@link SimulatedExecutor.crashNode}. @public */
export interface SimulatedCrashOptions {
  /** Also lose every container (a wiped disk); by default exited containers remain, as Docker's do. */
  readonly wipeContainers?: boolean;
}

/**
 * One simulated node's container engine, on an injected clock: scriptable, deterministic from
 * its `Random`, and with fault injection. It implements {@link Executor}, so an agent drives it
 * exactly as it drives a real engine.
 *
 * Without a script, a container runs its `command` followed by its `args` through a small
 * busybox-like interpreter, so the same specs behave alike here and on a real Docker engine:
 * `sleep N` (s/m/h/d suffixes; `infinity` never ends), `true`, `false`, `echo`, `exit N`, and
 * `sh -c SCRIPT` with `;`, `&&`, `||`, `!`, `|`, `while`/`until`, `if`, `trap` and redirections.
 * Utilities such as `test`, `cat`, `wget` or `curl` succeed at once. Any other program, and a
 * container without a command, is a server that runs until stopped. Health checks (`CMD …`,
 * `CMD-SHELL …`) run through the same interpreter, where unknown programs pass; Docker's timing
 * rules and defaults apply (interval 30 s, timeout 30 s, retries 3, start period, start interval
 * 5 s). The simulation adds log lines on stderr when a container starts and exits
 * (`[simulated] …`).
 *
 * Stopping sends the task's stop signal (default `SIGTERM`): the process exits at once with
 * 128 + the signal's number (143), unless its script ignores signals (`ignoreStopSignal`, or
 * `trap '' TERM`), in which case it is killed when the grace period ends (137). A trap with an
 * action runs the action, then the process exits with its status.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const node = new SimulatedExecutor({
 *   clock, random: Random.fromSeed(1), hostname: 'worker-1',
 *   resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
 *   behaviours: { services: { web: { healthy: '2s', crashAfter: '10m' } } },
 * });
 * const ctl = node.controller(task);
 * await clock.settle(ctl.prepare());
 * await clock.settle(ctl.start());
 * node.kill(task.id); // the task's wait() resolves with exit code 137
 * ```
 * @public
 */
export class SimulatedExecutor implements Executor {
  private readonly engine: SimulatedEngine;
  private readonly behaviours: BehaviourBook;
  private resources: SimulatedNodeResources;
  private engineLabels: Labels | undefined;
  private readonly platform: { readonly os: string; readonly architecture: string };
  private readonly engineVersion: string;
  private readonly hostname: string;

  constructor(options: SimulatedExecutorOptions) {
    const issues: ValidationIssue[] = [];
    if (typeof options.hostname !== 'string' || options.hostname === '') issues.push({ path: 'hostname', message: 'must be a non-empty string' });
    issues.push(...resourceIssues(options.resources));
    if (options.maxLogLines !== undefined && !(Number.isInteger(options.maxLogLines) && options.maxLogLines >= 0)) {
      issues.push({ path: 'maxLogLines', message: 'must be an integer >= 0' });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    this.hostname = options.hostname;
    this.resources = options.resources;
    this.engineLabels = options.engineLabels;
    this.platform = options.platform ?? { os: 'linux', architecture: 'x86_64' };
    this.engineVersion = options.engineVersion ?? '27.0.0-simulated';
    this.behaviours = new BehaviourBook(options.behaviours);
    this.engine = new SimulatedEngine({
      clock: options.clock,
      random: options.random,
      hostname: options.hostname,
      behaviours: this.behaviours,
      images: options.images,
      missingImages: options.missingImages ?? [],
      pullLatency: options.pullLatency ?? { min: 100, max: 500 },
      createLatency: options.createLatency ?? { min: 5, max: 20 },
      startLatency: options.startLatency ?? { min: 20, max: 100 },
      maxLogLines: options.maxLogLines ?? 1000,
      logger: options.logger,
    });
  }

  /** Whether the node is down after {@link SimulatedExecutor.crashNode}. */
  get isDown(): boolean {
    return this.engine.down;
  }

  describe(): Promise<NodeDescription> {
    try {
      this.engine.ensureAvailable();
    } catch (e) {
      return Promise.reject(e);
    }
    const r = this.resources;
    return Promise.resolve({
      hostname: this.hostname,
      platform: { ...this.platform },
      resources: { nanoCpus: r.nanoCpus, memoryBytes: r.memoryBytes, ...(r.generic !== undefined ? { generic: [...r.generic] } : {}) },
      engine: { version: this.engineVersion, ...(this.engineLabels !== undefined ? { labels: { ...this.engineLabels } } : {}) },
    });
  }

  /** A controller for `task`; every controller for the same task id acts on the same container. */
  controller(task: Task): Controller {
    return new SimulatedController(this.engine, task);
  }

  listTasks(): Promise<readonly ExistingTask[]> {
    try {
      this.engine.ensureAvailable();
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve(this.engine.containers().map((c) => ({ taskId: c.task.id, containerId: c.id })));
  }

  /**
   * The container's output: what its process writes, and the `[simulated]` start and exit lines.
   * With `follow`, new lines arrive as the clock moves, until the container exits or is removed,
   * or the iterator is closed. A task without a container has no lines.
   */
  logs(task: Task, options: LogOptions = {}): AsyncIterable<LogLine> {
    this.engine.ensureAvailable();
    const c = this.engine.container(task.id);
    if (c === undefined) return emptyLog();
    return c.readLogs(options);
  }

  /** Every container on the node (created, running or exited), for assertions and demos. */
  containers(): SimulatedContainerInfo[] {
    return this.engine.containers().map((c) => ({
      containerId: c.id,
      taskId: c.task.id,
      serviceName: c.task.serviceName,
      slot: c.task.slot,
      image: c.task.spec.container.image,
      state: c.state,
      health: c.health,
      createdAt: c.createdAt,
      ...(c.startedAt !== undefined ? { startedAt: c.startedAt } : {}),
      ...(c.finishedAt !== undefined ? { finishedAt: c.finishedAt } : {}),
      ...(c.exit !== undefined ? { exit: c.exit } : {}),
      ...(c.endReason !== undefined ? { endReason: c.endReason } : {}),
    }));
  }

  /**
   * Scripts a behaviour for the default, an image, a service or a task id (`undefined` clears
   * it). It applies from the next step of each task (prepare, start), not to running processes.
   */
  setBehaviour(target: SimulatedBehaviourTarget, behaviour: SimulatedBehaviour | undefined): void {
    this.behaviours.set(target, behaviour);
  }

  /** Makes an image impossible to pull (or possible again); images already pulled are unaffected. */
  setImageMissing(image: string, missing = true): void {
    this.engine.setImageMissing(image, missing);
  }

  /**
   * Like `docker kill`: delivers a signal (default SIGKILL, exit 137) to the task's running
   * container, or ends it with `exitCode`. Returns whether the container stopped running.
   */
  kill(taskId: string, options: SimulatedKillOptions = {}): boolean {
    const c = this.engine.container(taskId);
    if (c === undefined || c.state !== 'running') return false;
    if (options.exitCode !== undefined) c.exitWith(options.exitCode);
    else c.signal(options.signal ?? 'SIGKILL');
    return c.state !== 'running';
  }

  /**
   * The node loses power: every running container dies (exit 255, message `node crashed`),
   * prepares and starts in progress fail temporarily, and the engine refuses work (controller
   * calls reject with temporary `ControllerError`s; `describe`, `listTasks` and `logs` throw
   * `InvalidStateError`) until {@link SimulatedExecutor.restartNode}. Exited containers and
   * pulled images survive unless `wipeContainers` is set.
   */
  crashNode(options: SimulatedCrashOptions = {}): void {
    this.engine.crash(options.wipeContainers === true);
  }

  /** Brings a crashed node's engine back; containers that died stay exited. */
  restartNode(): void {
    this.engine.restart();
  }

  /** Changes the capacity `describe` reports. */
  setResources(resources: SimulatedNodeResources): void {
    const issues = resourceIssues(resources);
    if (issues.length > 0) throw new ValidationError(issues);
    this.resources = resources;
  }

  /** Changes the engine labels `describe` reports (`undefined` removes them). */
  setEngineLabels(labels: Labels | undefined): void {
    this.engineLabels = labels;
  }
}

function resourceIssues(resources: SimulatedNodeResources | undefined): ValidationIssue[] {
  if (resources === undefined || resources === null) return [{ path: 'resources', message: 'is required' }];
  const issues: ValidationIssue[] = [];
  for (const key of ['nanoCpus', 'memoryBytes'] as const) {
    const v = resources[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) issues.push({ path: `resources.${key}`, message: 'must be a finite number >= 0' });
  }
  return issues;
}

/** The log of a task without a container: it has written nothing. */
function emptyLog(): AsyncIterableIterator<LogLine> {
  const it: AsyncIterableIterator<LogLine> = {
    next: () => Promise.resolve({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
