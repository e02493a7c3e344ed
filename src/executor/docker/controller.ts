import { DEFAULT_STOP_GRACE_PERIOD_MS, type Task } from '../../api/index.js';
import { ClosedError, InvalidStateError } from '../../errors/index.js';
import { parseDuration } from '../../runtime/index.js';
import type { Controller, ControllerStatus, ExitStatus, ShutdownOptions } from '../controller.js';
import { ControllerError, type ControllerErrorCode } from '../errors.js';
import { attachNetworks, materialiseFiles } from './attachments.js';
import { containerCreateBody } from './container-config.js';
import { Wakeup, type DockerContext } from './context.js';
import { controllerError, engineFailure } from './errors.js';
import { findTaskContainer, stopContainer } from './container-ops.js';
import { containerName } from './labels.js';
import { controllerState, controllerStatus, exitStatus, failedHealth, hasHealthcheck, healthStatus, type ContainerJson } from './state.js';

/** The exit code of a process killed by SIGKILL (128 + 9), which is how the OOM killer ends one. */
const SIGKILL_EXIT = 137;
/** How long an exit that looks like an OOM kill waits for Docker's late `oom` event. */
const OOM_SETTLE_MS = 2_000;

/** Numbers controllers, to key their own in-flight starts. */
let controllerSerial = 0;

/**
 * A {@link Controller} over one task's Docker container. It keeps no state of its own besides the
 * task and a cached container id: the container is found by name (`<service>.<slot>.<task id>`),
 * else by its task-id and scope labels, so any controller for the same task id — from this
 * executor or a fresh one after a restart — drives the same container.
 *
 * After `close`, methods reject with `ClosedError` and a pending `wait` (or a `start` waiting for
 * health) rejects too; the container is unaffected.
 *
 * @internal
 */
export class DockerController implements Controller {
  private current: Task;
  private containerId: string | undefined;
  private closed = false;
  /** The event subscriptions of this controller's loops, to wake them on close. */
  private readonly watching = new Map<Wakeup, () => void>();
  /** Distinguishes this controller's own in-flight starts from other controllers' of the task. */
  private readonly serial = ++controllerSerial;

  constructor(
    private readonly ctx: DockerContext,
    task: Task,
  ) {
    this.current = task;
  }

  get task(): Task {
    return this.current;
  }

  prepare(): Promise<void> {
    return this.guard(() => this.ctx.once(this.key('prepare'), () => this.doPrepare()));
  }

  start(): Promise<void> {
    // Keyed per controller: a start waiting for health ends when its controller closes, which
    // must not fail another controller's start of the same task.
    return this.guard(() => this.ctx.once(`${this.key('start')}:${this.serial}`, () => this.doStart()));
  }

  wait(): Promise<ExitStatus> {
    return this.guard(() => this.doWait());
  }

  shutdown(options: ShutdownOptions): Promise<void> {
    return this.guard(() => this.ctx.once(this.key('shutdown'), () => this.doShutdown(options.gracePeriodMs)));
  }

  terminate(): Promise<void> {
    return this.guard(() => this.ctx.once(this.key('terminate'), () => this.doTerminate()));
  }

  remove(): Promise<void> {
    return this.guard(() => this.ctx.once(this.key('remove'), () => this.doRemove()));
  }

  inspect(): Promise<ControllerStatus> {
    return this.guard(async () => {
      const c = await this.find('TASK_EXECUTION_FAILED');
      return c === undefined ? { state: 'absent' } : controllerStatus(c);
    });
  }

  update(task: Task): void {
    if (task.id !== this.current.id) throw new InvalidStateError(`controller for task ${this.current.id} cannot take task ${task.id}`);
    this.current = task;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watching.keys()) w.fire();
  }

  // ---- steps -------------------------------------------------------------------------------

  /**
   * Creates the container (or reuses this task's), pulling the image first when the engine does
   * not have it, then runs the attachment steps. Creating first and pulling only on "No such
   * image" keeps the common case to one engine call.
   */
  private async doPrepare(): Promise<void> {
    if (this.containerId !== undefined) {
      const cached = await this.find('TASK_PREPARE_FAILED');
      if (cached !== undefined) return this.attachCreated(cached);
    }
    let created = await this.create();
    if (created.kind === 'no-image') {
      const pullError = await this.pull();
      created = await this.create();
      if (created.kind === 'no-image') {
        // Docker's own words (`No such image: ...`), and why the pull did not help.
        const why = pullError === undefined ? 'the image vanished after it was pulled' : `pulling it failed: ${pullError}`;
        throw new ControllerError('TASK_PREPARE_FAILED', `${created.message} (${why})`);
      }
    }
    if (created.kind === 'created') return this.attach(created.id);
    // A container with this task's name exists (created by another controller, or before an
    // agent restart): reuse it.
    const found = await this.find('TASK_PREPARE_FAILED');
    if (found === undefined) throw new ControllerError('TASK_PREPARE_FAILED', `container name ${containerName(this.current)} is taken by a container of another task or scope`);
    return this.attachCreated(found);
  }

  /** `POST /containers/create`: the new id, or why there is none. */
  private async create(): Promise<{ readonly kind: 'created'; readonly id: string } | { readonly kind: 'exists' } | { readonly kind: 'no-image'; readonly message: string }> {
    const body = containerCreateBody(this.current, this.ctx.scope);
    try {
      const id = await this.ctx.engine.create(body);
      this.containerId = id;
      this.ctx.logger?.debug?.('container created', { taskId: this.current.id, containerId: id, name: body.name });
      return { kind: 'created', id };
    } catch (e) {
      const f = engineFailure(e);
      if (f.statusCode === 409) return { kind: 'exists' };
      if (f.statusCode === 404) return { kind: 'no-image', message: f.message };
      throw controllerError('TASK_PREPARE_FAILED', e);
    }
  }

  /**
   * Pulls the task's image (once per image at a time, shared by every controller). Resolves with
   * the engine's message when the pull failed for a reason other than the engine being
   * unreachable (which rejects, temporarily).
   */
  private async pull(): Promise<string | undefined> {
    const image = this.current.spec.container.image;
    try {
      await this.ctx.once(`pull:${image}`, () => this.ctx.engine.pull(image));
      this.ctx.logger?.info?.('image pulled', { image });
      return undefined;
    } catch (e) {
      const f = engineFailure(e);
      if (f.temporary) throw new ControllerError('TASK_PREPARE_FAILED', `pulling image ${image} failed: ${f.message}`, { temporary: true, cause: e });
      this.ctx.logger?.warn?.('pulling an image failed', { image, error: f.message });
      return f.message;
    }
  }

  private async attachCreated(c: ContainerJson): Promise<void> {
    if (c.State.Status === 'created') await this.attach(c.Id);
  }

  /** The seams: networks, then secret and config files, before the container can start. */
  private async attach(containerId: string): Promise<void> {
    const ctx = { engine: this.ctx.engine, task: this.current, containerId };
    try {
      await attachNetworks(ctx);
      await materialiseFiles(ctx);
    } catch (e) {
      throw controllerError('TASK_PREPARE_FAILED', e);
    }
  }

  /** Starts a created container (never one that already ran) and, with a healthcheck, waits for health. */
  private async doStart(): Promise<void> {
    const c = await this.find('TASK_START_FAILED');
    if (c === undefined) throw new ControllerError('TASK_START_FAILED', `No such container: task ${this.current.id} was not prepared`);
    const health = hasHealthcheck(c);
    const wake = health ? await this.watch(c.Id, 'TASK_START_FAILED') : undefined;
    try {
      if (c.State.Status === 'created') {
        try {
          await this.ctx.engine.start(c.Id);
        } catch (e) {
          throw controllerError('TASK_START_FAILED', e, 'starting container failed');
        }
      }
      if (wake !== undefined) await this.untilHealthy(c.Id, wake);
    } finally {
      if (wake !== undefined) this.unwatch(wake);
    }
  }

  /** Resolves once the container is healthy; stops it and rejects when it turns unhealthy. */
  private async untilHealthy(id: string, wake: Wakeup): Promise<void> {
    for (;;) {
      this.checkClosed();
      const c = await this.inspectId(id, 'TASK_START_FAILED');
      if (c === undefined) throw new ControllerError('TASK_START_FAILED', `container ${short(id)} was removed before it became healthy`);
      const health = healthStatus(c);
      if (controllerState(c.State.Status) === 'exited') {
        if (failedHealth(c)) throw unhealthyError(c);
        const code = c.State.ExitCode ?? 0;
        if (code !== 0) throw new ControllerError('TASK_START_FAILED', `task exited with code ${code} before it became healthy`);
        return;
      }
      if (health === 'healthy') return;
      if (health === 'unhealthy') {
        await this.stopUnhealthy(c);
        throw unhealthyError(c);
      }
      await wake.next(this.ctx.pollIntervalMs);
    }
  }

  /** Follows the container to its exit (through events, re-inspecting on each). */
  private async doWait(): Promise<ExitStatus> {
    let c = await this.find('TASK_EXECUTION_FAILED');
    if (c === undefined) {
      await this.ctx.current(this.key('prepare'))?.catch(() => undefined);
      c = await this.find('TASK_EXECUTION_FAILED');
    }
    if (c === undefined) throw new ControllerError('TASK_EXECUTION_FAILED', `No such container: task ${this.current.id} has none`);
    const id = c.Id;
    const wake = await this.watch(id, 'TASK_EXECUTION_FAILED');
    try {
      for (;;) {
        this.checkClosed();
        const now = await this.inspectId(id, 'TASK_EXECUTION_FAILED');
        if (now === undefined) {
          if (wake.lastExitCode !== undefined) return { exitCode: wake.lastExitCode, message: 'container removed' };
          throw new ControllerError('TASK_EXECUTION_FAILED', `container ${short(id)} was removed before it exited`);
        }
        const state = controllerState(now.State.Status);
        if (state === 'exited') {
          if (failedHealth(now)) throw unhealthyError(now);
          return await this.settleOom(id, now, wake);
        }
        if (state === 'running' && healthStatus(now) === 'unhealthy') {
          // As Swarm does: an unhealthy task is stopped, and reported unhealthy.
          await this.stopUnhealthy(now);
          throw unhealthyError(now);
        }
        await wake.next(this.ctx.pollIntervalMs);
      }
    } finally {
      this.unwatch(wake);
    }
  }

  /**
   * The exit status, with a kernel OOM kill noted even when Docker reports it late: the engine
   * handles containerd's exit and OOM events apart, so under load `die` (and an inspection showing
   * `OOMKilled: false`) can come before `oom`. A SIGKILL exit (137) of a container with a memory
   * limit is therefore looked at again until the `oom` event or {@link OOM_SETTLE_MS} passes.
   */
  private async settleOom(id: string, c: ContainerJson, wake: Wakeup): Promise<ExitStatus> {
    const limit = this.current.spec.resources?.limits?.memoryBytes ?? 0;
    let now = c;
    if (exitStatus(now).oomKilled === true || now.State.ExitCode !== SIGKILL_EXIT || limit <= 0) return exitStatus(now);
    const deadline = this.ctx.clock.now() + OOM_SETTLE_MS;
    while (!wake.sawOom && this.ctx.clock.now() < deadline) {
      await wake.next(Math.max(1, deadline - this.ctx.clock.now()));
      now = (await this.inspectId(id, 'TASK_EXECUTION_FAILED')) ?? now;
      if (now.State.OOMKilled === true) break;
    }
    return wake.sawOom ? { ...exitStatus(now), oomKilled: true, message: 'OOM killed' } : exitStatus(now);
  }

  private async stopUnhealthy(c: ContainerJson): Promise<void> {
    const grace = gracePeriodMs(this.current);
    this.ctx.logger?.info?.('stopping an unhealthy container', { taskId: this.current.id, containerId: c.Id });
    await this.ctx.once(this.key('shutdown'), () => this.stop(c, grace));
  }

  private async doShutdown(graceMs: number): Promise<void> {
    const c = await this.find('TASK_EXECUTION_FAILED');
    if (c === undefined || controllerState(c.State.Status) !== 'running') return;
    await this.stop(c, graceMs);
  }

  private async stop(c: ContainerJson, graceMs: number): Promise<void> {
    try {
      await stopContainer(this.ctx, c, graceMs);
    } catch (e) {
      throw controllerError('TASK_EXECUTION_FAILED', e, 'stopping container failed');
    }
  }

  private async doTerminate(): Promise<void> {
    const c = await this.find('TASK_EXECUTION_FAILED');
    if (c === undefined || controllerState(c.State.Status) !== 'running') return;
    try {
      await this.ctx.engine.kill(c.Id);
      await this.ctx.engine.waitNotRunning(c.Id);
    } catch (e) {
      throw controllerError('TASK_EXECUTION_FAILED', e, 'killing container failed');
    }
  }

  /** Removes the container with its anonymous volumes (killing it if it runs). */
  private async doRemove(): Promise<void> {
    await this.ctx.current(this.key('prepare'))?.catch(() => undefined);
    const c = await this.find('TASK_EXECUTION_FAILED');
    if (c === undefined) return;
    try {
      await this.ctx.engine.remove(c.Id);
    } catch (e) {
      throw controllerError('TASK_EXECUTION_FAILED', e, 'removing container failed');
    }
    if (this.containerId === c.Id) this.containerId = undefined;
    this.ctx.logger?.debug?.('container removed', { taskId: this.current.id, containerId: c.Id });
  }

  // ---- finding and watching ----------------------------------------------------------------

  /** This task's container (see {@link findTaskContainer}), caching its id. */
  private async find(code: ControllerErrorCode): Promise<ContainerJson | undefined> {
    try {
      const c = await findTaskContainer(this.ctx.engine, this.ctx.scope, this.current, this.containerId);
      this.containerId = c?.Id;
      return c;
    } catch (e) {
      throw controllerError(code, e, 'inspecting container failed');
    }
  }

  private async inspectId(id: string, code: ControllerErrorCode): Promise<ContainerJson | undefined> {
    try {
      return await this.ctx.engine.inspect(id);
    } catch (e) {
      throw controllerError(code, e, 'inspecting container failed');
    }
  }

  /** Subscribes a new {@link Wakeup} to the container's events (resolves once the stream is open). */
  private async watch(id: string, code: ControllerErrorCode): Promise<Wakeup> {
    const wake = new Wakeup(this.ctx.clock);
    let unwatch: () => void;
    try {
      unwatch = await this.ctx.events.watch(id, (ev) => wake.notify(ev));
    } catch (e) {
      throw controllerError(code, e, 'watching container events failed');
    }
    this.watching.set(wake, unwatch);
    if (this.closed) wake.fire();
    return wake;
  }

  private unwatch(wake: Wakeup): void {
    this.watching.get(wake)?.();
    this.watching.delete(wake);
  }

  // ---- helpers -----------------------------------------------------------------------------

  private key(op: string): string {
    return `${op}:${this.current.id}`;
  }

  private checkClosed(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): ClosedError {
    return new ClosedError(`the controller for task ${this.current.id}`);
  }

  private guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    try {
      return fn();
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

/** The task's stop grace period in ms (default 10 s). */
function gracePeriodMs(task: Task): number {
  const g = task.spec.container.stopGracePeriod;
  if (g === undefined) return DEFAULT_STOP_GRACE_PERIOD_MS;
  try {
    return parseDuration(g);
  } catch {
    return DEFAULT_STOP_GRACE_PERIOD_MS;
  }
}

function unhealthyError(c: ContainerJson): ControllerError {
  return new ControllerError('TASK_UNHEALTHY', `container ${short(c.Id)} unhealthy: its health check failed, so it was stopped`);
}

function short(id: string): string {
  return id.slice(0, 12);
}
