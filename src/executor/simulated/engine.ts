import type { Task } from '../../api/index.js';
import { InvalidStateError } from '../../errors/index.js';
import type { Clock, Logger, Random, TimerHandle } from '../../runtime/index.js';
import type { ControllerErrorCode } from '../errors.js';
import type { ControllerStatus, ExitStatus } from '../controller.js';
import { ControllerError } from '../errors.js';
import { drawLatency, type BehaviourBook, type SimulatedLatency } from './behaviour.js';
import { SimContainer, type ContainerContext } from './container.js';
import { ImageSet, imageKey } from './images.js';
import { HostPorts } from './ports.js';

/** What the engine needs from the executor's options. @internal */
export interface EngineOptions {
  readonly clock: Clock;
  readonly random: Random;
  readonly hostname: string;
  readonly behaviours: BehaviourBook;
  readonly images: readonly string[] | undefined;
  readonly missingImages: readonly string[];
  readonly pullLatency: SimulatedLatency;
  readonly createLatency: SimulatedLatency;
  readonly startLatency: SimulatedLatency;
  readonly maxLogLines: number;
  readonly logger: Logger | undefined;
}

/** What exists on the node for one task id: its container, and a prepare in progress. */
interface TaskSlot {
  task: Task;
  /** The task's own stream, forked at its first prepare; dropped once its container ran. */
  random: Random | undefined;
  /** When the stream was forked (part of its label, so it can be forked again if needed). */
  readonly forkedAt: number;
  container: SimContainer | undefined;
  preparing: { promise: Promise<ControllerError | undefined>; timer: TimerHandle; resolve(e: ControllerError | undefined): void } | undefined;
  /** How many prepares were attempted (for `temporaryErrors`). */
  attempts: number;
}

/**
 * The simulated container engine of one node: the containers by task id, the pulled images, the
 * bound host ports, and whether the engine is up. Controllers and the executor's fault injection
 * both act on it, so every controller for a task id sees the same container.
 *
 * @internal
 */
export class SimulatedEngine {
  private readonly slots = new Map<string, TaskSlot>();
  /** Normalised references of the images pulled on this node (they survive a crash). */
  private readonly pulled = new Set<string>();
  private readonly known: ImageSet | undefined;
  private readonly missing = new ImageSet();
  private readonly ports = new HostPorts();
  private isDown = false;
  /** What every container of the node shares. */
  private readonly context: ContainerContext;

  constructor(readonly options: EngineOptions) {
    this.context = { clock: options.clock, ports: this.ports, maxLogLines: options.maxLogLines, ...(options.logger !== undefined ? { logger: options.logger } : {}) };
    if (options.images !== undefined) {
      this.known = new ImageSet();
      for (const i of options.images) this.known.set(i, true);
    }
    for (const i of options.missingImages) this.missing.set(i, true);
  }

  get down(): boolean {
    return this.isDown;
  }

  /** The container of `taskId`, if one exists (created, running or exited). */
  container(taskId: string): SimContainer | undefined {
    const c = this.slots.get(taskId)?.container;
    return c === undefined || c.removed ? undefined : c;
  }

  /** Every container that exists. */
  containers(): SimContainer[] {
    const out: SimContainer[] = [];
    for (const s of this.slots.values()) if (s.container !== undefined && !s.container.removed) out.push(s.container);
    return out;
  }

  /** Whether `image` is present on the node or can be pulled. */
  imageAvailable(image: string): boolean {
    if (this.pulled.has(imageKey(image).reference)) return true;
    if (this.missing.has(image)) return false;
    return this.known === undefined || this.known.has(image);
  }

  setImageMissing(image: string, missing: boolean): void {
    if (missing) {
      this.missing.set(image, true);
      this.pulled.delete(imageKey(image).reference);
    } else {
      this.missing.delete(image);
      this.known?.set(image, true);
    }
  }

  updateTask(task: Task): void {
    const slot = this.slots.get(task.id);
    if (slot !== undefined) slot.task = task;
  }

  async prepare(task: Task): Promise<void> {
    this.ensureUp('TASK_PREPARE_FAILED');
    let slot = this.slots.get(task.id);
    if (slot === undefined) {
      const forkedAt = this.options.clock.now();
      slot = { task, random: this.fork(task.id, forkedAt), forkedAt, container: undefined, preparing: undefined, attempts: 0 };
      this.slots.set(task.id, slot);
    }
    if (slot.container !== undefined && !slot.container.removed) return;
    slot.preparing ??= this.beginPrepare(slot);
    const err = await slot.preparing.promise;
    if (err !== undefined) throw err;
  }

  async start(task: Task): Promise<void> {
    this.ensureUp('TASK_START_FAILED');
    const slot = this.slots.get(task.id);
    if (slot?.preparing !== undefined) await slot.preparing.promise;
    const c = this.container(task.id);
    if (slot === undefined || c === undefined) throw new ControllerError('TASK_START_FAILED', `No such container: task ${task.id} was not prepared`);
    if (c.state === 'created') {
      const b = this.options.behaviours.resolve(slot.task);
      const err = await c.launch(b, () => drawLatency(this.randomOf(slot), b.startLatency ?? this.options.startLatency, 'startLatency'));
      if (err !== undefined) throw err;
      if (c.state !== 'created') slot.random = undefined;
    }
    const err = await c.whenReady();
    if (err !== undefined) throw err;
  }

  wait(task: Task): Promise<ExitStatus> {
    return new Promise((resolve, reject) => this.onExit(task, (err, exit) => (err === undefined ? resolve(exit as ExitStatus) : reject(err))));
  }

  /**
   * Calls `done` once the task's container ended: with its exit status, or with the error `wait`
   * rejects with. A running container costs one callback here, not a chain of promises.
   */
  onExit(task: Task, done: (err: Error | undefined, exit?: ExitStatus) => void): void {
    try {
      this.ensureUp('TASK_EXECUTION_FAILED');
    } catch (err) {
      done(err as Error);
      return;
    }
    const preparing = this.slots.get(task.id)?.preparing;
    if (preparing !== undefined) {
      void preparing.promise.then(() => this.onContainerExit(task, done));
      return;
    }
    this.onContainerExit(task, done);
  }

  private onContainerExit(task: Task, done: (err: Error | undefined, exit?: ExitStatus) => void): void {
    const c = this.container(task.id);
    if (c === undefined) {
      done(new ControllerError('TASK_EXECUTION_FAILED', `No such container: task ${task.id} has none`));
      return;
    }
    c.onEnded(() => {
      if (c.endedUnhealthy) done(new ControllerError('TASK_UNHEALTHY', 'container unhealthy: its health check failed, so it was stopped'));
      else if (c.exit === undefined) done(new ControllerError('TASK_EXECUTION_FAILED', `container ${c.id.slice(0, 12)} was removed before it ran`));
      else done(undefined, c.exit);
    });
  }

  async shutdown(task: Task, gracePeriodMs: number): Promise<void> {
    this.ensureUp('TASK_EXECUTION_FAILED');
    await this.container(task.id)?.stop(gracePeriodMs);
  }

  async terminate(task: Task): Promise<void> {
    this.ensureUp('TASK_EXECUTION_FAILED');
    const c = this.container(task.id);
    if (c === undefined) return;
    await c.settleLaunch();
    c.signal('SIGKILL');
  }

  async remove(task: Task): Promise<void> {
    this.ensureUp('TASK_EXECUTION_FAILED');
    const slot = this.slots.get(task.id);
    if (slot === undefined) return;
    if (slot.preparing !== undefined) await slot.preparing.promise;
    await slot.container?.remove();
    if (this.slots.get(task.id) === slot) this.slots.delete(task.id);
  }

  inspect(task: Task): ControllerStatus {
    this.ensureUp('TASK_EXECUTION_FAILED');
    return this.container(task.id)?.status() ?? { state: 'absent' };
  }

  /** Throws unless the engine is up (for describe, listTasks and logs). */
  ensureAvailable(): void {
    if (this.isDown) throw new InvalidStateError(`the simulated engine on ${this.options.hostname} is down`);
  }

  /**
   * The node lost power: prepares and starts in progress fail temporarily, running containers die
   * (exit 255), bound ports are freed, and the engine refuses work until {@link SimulatedEngine.restart}.
   * With `wipe`, every container is gone too.
   */
  crash(wipe: boolean): void {
    this.isDown = true;
    for (const slot of this.slots.values()) {
      const p = slot.preparing;
      if (p !== undefined) {
        slot.preparing = undefined;
        this.options.clock.clearTimeout(p.timer);
        p.resolve(new ControllerError('TASK_PREPARE_FAILED', 'the node crashed while the task was being prepared', { temporary: true }));
      }
      slot.container?.crash();
      if (wipe) void slot.container?.remove();
    }
    if (wipe) this.slots.clear();
    this.ports.clear();
    this.options.logger?.info?.('simulated node crashed', { hostname: this.options.hostname, wipe });
  }

  restart(): void {
    this.isDown = false;
  }

  private fork(taskId: string, at: number): Random {
    return this.options.random.fork(`task:${taskId}@${at}`);
  }

  /** The task's stream (forked again, from its start, in the rare case a step needs it after it was dropped). */
  private randomOf(slot: TaskSlot): Random {
    return (slot.random ??= this.fork(slot.task.id, slot.forkedAt));
  }

  private ensureUp(code: ControllerErrorCode): void {
    if (this.isDown) throw new ControllerError(code, `the simulated engine on ${this.options.hostname} is down`, { temporary: true });
  }

  private beginPrepare(slot: TaskSlot): NonNullable<TaskSlot['preparing']> {
    const o = this.options;
    const b = o.behaviours.resolve(slot.task);
    const image = slot.task.spec.container.image;
    const attempt = ++slot.attempts;
    const latency =
      b.prepareLatency !== undefined
        ? drawLatency(this.randomOf(slot), b.prepareLatency, 'prepareLatency')
        : (this.pulled.has(imageKey(image).reference) ? 0 : drawLatency(this.randomOf(slot), o.pullLatency, 'pullLatency')) + drawLatency(this.randomOf(slot), o.createLatency, 'createLatency');
    let resolve!: (e: ControllerError | undefined) => void;
    const promise = new Promise<ControllerError | undefined>((r) => (resolve = r));
    const timer = o.clock.setTimeout(() => {
      slot.preparing = undefined;
      resolve(this.completePrepare(slot, attempt));
    }, latency);
    return { promise, timer, resolve };
  }

  private completePrepare(slot: TaskSlot, attempt: number): ControllerError | undefined {
    const b = this.options.behaviours.resolve(slot.task);
    const image = slot.task.spec.container.image;
    const temporary = b.temporaryErrors ?? 0;
    if (attempt <= temporary) {
      return new ControllerError('TASK_PREPARE_FAILED', `simulated temporary failure preparing the task (attempt ${attempt} of the first ${temporary} that fail)`, { temporary: true });
    }
    if (!this.imageAvailable(image)) {
      return new ControllerError('TASK_PREPARE_FAILED', `No such image: ${image} (pull access denied or repository does not exist)`);
    }
    if (b.prepareError !== undefined) return new ControllerError('TASK_PREPARE_FAILED', b.prepareError);
    this.pulled.add(imageKey(image).reference);
    const random = this.randomOf(slot);
    // Joined, not appended: `+=` leaves a rope of 15 strings (~400 bytes) that every status
    // holding the container id keeps alive; `join` makes one flat string of 64 characters.
    const parts: string[] = [];
    for (let i = 0; i < 8; i++) parts.push(random.nextUint32().toString(16).padStart(8, '0'));
    slot.container = new SimContainer(parts.join(''), slot.task, this.context, random);
    return undefined;
  }
}
