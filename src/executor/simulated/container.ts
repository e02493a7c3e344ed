import type { Task } from '../../api/index.js';
import { parseDuration, type Clock, type Logger, type Random, type TimerHandle } from '../../runtime/index.js';
import type { ControllerStatus, ExitStatus } from '../controller.js';
import type { LogLine, LogOptions } from '../executor.js';
import { ControllerError } from '../errors.js';
import { drawLatency, type SimulatedBehaviour } from './behaviour.js';
import { effectiveHealthCheck, HealthMonitor, type SimulatedHealth } from './health.js';
import { LogBuffer } from './log-buffer.js';
import type { BoundPort, HostPorts } from './ports.js';
import { runArgv, runInstantly, runScript, signalExitCode, signalName, type ProcessGenerator, type SimulatedProcess } from './process.js';
import { Latch } from './latch.js';

/** The state of a simulated container. @public */
export type SimulatedContainerState = 'created' | 'running' | 'exited';

/**
 * Why a simulated container stopped running:
 * `exited` (its process ended by itself), `signal` (a stop or other signal ended it), `killed`
 * (SIGKILL: `terminate`, the end of a grace period, `kill`, a forced removal), `unhealthy`
 * (stopped after its health check failed), `crashed` (`crashAfter`), `oom` (`oomAfter`),
 * `node-crash` (`crashNode`).
 *
 * @public
 */
export type SimulatedEndReason = 'exited' | 'signal' | 'killed' | 'unhealthy' | 'crashed' | 'oom' | 'node-crash';

/** What the node gives each of its containers. @internal */
export interface ContainerContext {
  readonly clock: Clock;
  readonly ports: HostPorts;
  readonly maxLogLines: number;
  readonly logger?: Logger;
}

/** After this many steps without simulated time passing, a process pauses for 1 ms (a busy loop). */
const BUSY_LOOP_STEPS = 1000;
const DEFAULT_GRACE_MS = 10_000;
const NO_PORTS: readonly BoundPort[] = Object.freeze([]);

/**
 * One simulated container: created by `prepare`, run by `launch`, ended by its process, a
 * signal, a health check, a scripted fault or the node. Its promises never reject; the
 * controller turns outcomes into errors.
 *
 * @internal
 */
export class SimContainer {
  state: SimulatedContainerState = 'created';
  removed = false;
  readonly createdAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  exit: ExitStatus | undefined;
  endReason: SimulatedEndReason | undefined;
  ports: readonly BoundPort[] = NO_PORTS;
  private logBuffer: LogBuffer | undefined;
  private launching: { promise: Promise<ControllerError | undefined>; timer: TimerHandle; resolve(e: ControllerError | undefined): void } | undefined;
  private timers: TimerHandle[] | undefined;
  private readonly ready = new Latch<ControllerError | undefined>();
  private readonly ended = new Latch<void>();
  private monitor: HealthMonitor | undefined;
  private behaviour: SimulatedBehaviour | undefined;
  private process: SimulatedProcess | undefined;
  private traps: Map<string, string> | undefined;
  private unhealthy = false;
  private zeroTimeSteps = 0;
  /** The task's stream, until the process runs (nothing draws from it afterwards). */
  private random: Random | undefined;
  /** The timer of the process's current `sleep` step. */
  private sleepTimer: TimerHandle | undefined;

  constructor(
    readonly id: string,
    readonly task: Task,
    private readonly ctx: ContainerContext,
    random: Random,
  ) {
    this.createdAt = ctx.clock.now();
    this.random = random;
  }

  get health(): SimulatedHealth {
    if (this.unhealthy) return 'unhealthy';
    return this.monitor?.health ?? 'none';
  }

  /** Resolves once the container ran and, with a health check, turned healthy; or how it failed to. */
  whenReady(): Promise<ControllerError | undefined> {
    return this.ready.wait();
  }

  /** Resolves once the container exited or was removed. */
  whenEnded(): Promise<void> {
    return this.ended.wait();
  }

  /** Calls `fn` once the container exited or was removed (at once when it already did). */
  onEnded(fn: () => void): void {
    this.ended.onSettle(fn);
  }

  /**
   * The container's log: the `[simulated]` start line, what the process wrote (the last
   * `maxLogLines` lines), and the exit line; with `follow`, later lines until the end. The start
   * and exit lines are made from the container's state when read, not stored.
   */
  readLogs(options: LogOptions): AsyncIterableIterator<LogLine> {
    const over = this.removed || this.state === 'exited';
    const buffer = this.logBuffer ?? new LogBuffer(this.ctx.maxLogLines);
    if (over) buffer.end();
    else this.logBuffer = buffer;
    const start = this.startLine();
    const exit = this.exitLine();
    return buffer.read(options, start === undefined ? [] : [start], exit === undefined ? [] : [exit]);
  }

  /** True when the container ended because its health check failed. */
  get endedUnhealthy(): boolean {
    return this.endReason === 'unhealthy';
  }

  status(): ControllerStatus {
    if (this.removed) return { state: 'absent' };
    return {
      state: this.state,
      containerId: this.id,
      ...(this.exit !== undefined ? { exit: this.exit } : {}),
      ...(this.state === 'running' && this.ports.length > 0 ? { ports: this.ports } : {}),
    };
  }

  /**
   * Starts the process after `latencyMs()` (drawn only when a start begins). Resolves with an error when it cannot start; a second
   * call while starting shares the first; a call after the start resolves at once.
   */
  launch(behaviour: SimulatedBehaviour, latencyMs: () => number): Promise<ControllerError | undefined> {
    if (this.state !== 'created' || this.removed) return Promise.resolve(undefined);
    if (this.launching !== undefined) return this.launching.promise;
    let resolve!: (e: ControllerError | undefined) => void;
    const promise = new Promise<ControllerError | undefined>((r) => (resolve = r));
    const timer = this.ctx.clock.setTimeout(() => {
      this.launching = undefined;
      resolve(this.run(behaviour));
    }, latencyMs());
    this.launching = { promise, timer, resolve };
    return promise;
  }

  /** Waits for a start in progress to finish, so stop and remove act on its outcome. */
  async settleLaunch(): Promise<void> {
    if (this.launching !== undefined) await this.launching.promise;
  }

  /**
   * Sends the stop signal, and SIGKILL after `graceMs` if the process still runs (Docker's
   * `stop`). Resolves once it no longer runs.
   */
  async stop(graceMs: number): Promise<void> {
    await this.settleLaunch();
    if (this.state !== 'running') return;
    this.signal(this.task.spec.container.stopSignal ?? 'SIGTERM');
    if (this.state !== 'running') return;
    this.after(graceMs, () => this.finish({ exitCode: 137 }, 'killed'));
    await this.ended.wait();
  }

  /** Delivers `signal` to the process (Docker's `kill --signal`). */
  signal(signal: string): void {
    if (this.state !== 'running') return;
    const name = signalName(signal) ?? 'SIGTERM';
    if (name === 'SIGKILL') {
      this.finish({ exitCode: 137 }, 'killed');
      return;
    }
    if (this.behaviour?.ignoreStopSignal === true) return;
    const trap = this.traps?.get(name);
    if (trap === '') return;
    if (trap === undefined) {
      this.finish({ exitCode: signalExitCode(name) }, 'signal');
      return;
    }
    // The trap's action runs at once; the process then exits with the action's status.
    const run = runInstantly(runScript(trap, 'probe'), Infinity);
    for (const o of run.output) this.write(o.stream, o.line);
    this.finish({ exitCode: run.exitCode ?? 0 }, 'signal');
  }

  /** Ends the process at once with `exitCode` (a simulated crash with a chosen status). */
  exitWith(exitCode: number): void {
    this.finish({ exitCode }, 'killed');
  }

  /** Kills a running container (Docker's `rm -f`), then marks it removed. */
  async remove(): Promise<void> {
    await this.settleLaunch();
    if (this.state === 'running') this.finish({ exitCode: 137 }, 'killed');
    this.removed = true;
    this.logBuffer?.end();
    this.logBuffer = undefined;
    this.ready.resolve(new ControllerError('TASK_EXECUTION_FAILED', `container ${this.id.slice(0, 12)} was removed`));
    this.ended.resolve();
  }

  /** The node lost power: a start in progress fails (temporarily), a running process dies (255). */
  crash(): void {
    const launching = this.launching;
    if (launching !== undefined) {
      this.launching = undefined;
      this.ctx.clock.clearTimeout(launching.timer);
      launching.resolve(new ControllerError('TASK_START_FAILED', 'the node crashed while the task was starting', { temporary: true }));
    }
    if (this.state === 'running') this.finish({ exitCode: 255, message: 'node crashed' }, 'node-crash');
  }

  private run(behaviour: SimulatedBehaviour): ControllerError | undefined {
    if (behaviour.refuseToStart !== undefined) return new ControllerError('TASK_START_FAILED', behaviour.refuseToStart);
    const random = this.random as Random;
    const bound = this.ctx.ports.bind(this.id, this.task, random);
    if (typeof bound === 'string') return new ControllerError('TASK_START_FAILED', bound);
    this.random = undefined;
    const clock = this.ctx.clock;
    this.ports = bound;
    this.behaviour = behaviour;
    this.state = 'running';
    this.startedAt = clock.now();
    const container = this.task.spec.container;
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    const startLine = this.logBuffer === undefined ? undefined : this.startLine();
    if (startLine !== undefined) this.logBuffer?.broadcast(startLine);
    this.ctx.logger?.debug?.('simulated container started', { taskId: this.task.id, containerId: this.id });
    if (behaviour.crashAfter !== undefined) {
      const code = behaviour.crashExitCode ?? 1;
      this.after(drawLatency(random, behaviour.crashAfter, 'crashAfter'), () => this.finish({ exitCode: code }, 'crashed'));
    }
    if (behaviour.oomAfter !== undefined) {
      this.after(drawLatency(random, behaviour.oomAfter, 'oomAfter'), () => this.finish({ exitCode: 137, oomKilled: true, message: 'OOM killed' }, 'oom'));
    }
    const process = scripted(behaviour, random) ?? runArgv(argv, 'main');
    this.process = behaviour.output !== undefined && behaviour.output.length > 0 ? withOutput(behaviour.output, process) : process;
    const check = effectiveHealthCheck(container.healthcheck, behaviour.healthcheck);
    if (check === undefined) {
      this.ready.resolve(undefined);
    } else {
      this.monitor = new HealthMonitor(check, {
        clock,
        startedAt: this.startedAt,
        scriptedResult: (elapsed) => scriptedHealth(behaviour, elapsed),
        onChange: (status) => this.onHealth(status),
      });
    }
    this.pump();
    return undefined;
  }

  private onHealth(status: 'healthy' | 'unhealthy'): void {
    if (status === 'healthy') {
      this.ready.resolve(undefined);
      return;
    }
    // As Swarm does: an unhealthy task is stopped; start and wait report it once it has exited.
    this.unhealthy = true;
    this.monitor?.stop();
    const grace = this.task.spec.container.stopGracePeriod;
    void this.stop(grace === undefined ? DEFAULT_GRACE_MS : parseDuration(grace, 'stopGracePeriod'));
  }

  /** Runs the process until it waits on time, blocks, or ends. */
  private pump(): void {
    const process = this.process;
    while (this.state === 'running' && process !== undefined) {
      const r = process.next();
      if (r.done === true) {
        this.finish({ exitCode: r.value }, 'exited');
        return;
      }
      const step = r.value;
      if (step.kind === 'sleep') {
        this.zeroTimeSteps = 0;
        this.sleepTimer = this.ctx.clock.setTimeout(() => {
          this.sleepTimer = undefined;
          this.pump();
        }, step.ms);
        return;
      }
      if (step.kind === 'forever') {
        this.process = undefined; // never resumed: only a signal ends it
        return;
      }
      if (step.kind === 'output') this.write(step.stream, step.line);
      else if (step.kind === 'trap') this.setTraps(step.action, step.signals);
      if (++this.zeroTimeSteps >= BUSY_LOOP_STEPS) {
        this.zeroTimeSteps = 0;
        this.after(1, () => this.pump());
        return;
      }
    }
  }

  private setTraps(action: string | undefined, signals: readonly string[]): void {
    for (const s of signals) {
      const name = signalName(s);
      if (name === undefined) continue;
      if (action === undefined) this.traps?.delete(name);
      else (this.traps ??= new Map()).set(name, action);
    }
  }

  private finish(status: ExitStatus, reason: SimulatedEndReason): void {
    if (this.state !== 'running') return;
    const clock = this.ctx.clock;
    this.state = 'exited';
    this.finishedAt = clock.now();
    this.exit = status;
    this.endReason = this.unhealthy ? 'unhealthy' : reason;
    for (const t of this.timers ?? []) clock.clearTimeout(t);
    this.timers = undefined;
    if (this.sleepTimer !== undefined) clock.clearTimeout(this.sleepTimer);
    this.sleepTimer = undefined;
    this.monitor?.stop();
    this.process = undefined;
    this.traps = undefined;
    if (this.ports.length > 0) this.ctx.ports.release(this.id);
    const buffer = this.logBuffer;
    if (buffer !== undefined) {
      buffer.broadcast(this.exitLine() as LogLine);
      buffer.end();
    }
    this.ctx.logger?.debug?.('simulated container exited', { taskId: this.task.id, containerId: this.id, exitCode: status.exitCode, reason: this.endReason });
    if (this.unhealthy) {
      this.ready.resolve(new ControllerError('TASK_UNHEALTHY', 'container unhealthy: its health check failed'));
    } else if (status.exitCode !== 0) {
      this.ready.resolve(new ControllerError('TASK_START_FAILED', `task exited with code ${status.exitCode} before it became healthy`));
    } else {
      this.ready.resolve(undefined);
    }
    this.ended.resolve();
  }

  private startLine(): LogLine | undefined {
    if (this.startedAt === undefined) return undefined;
    const c = this.task.spec.container;
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    return { taskId: this.task.id, stream: 'stderr', timestamp: this.startedAt, line: `[simulated] started ${c.image}${argv.length > 0 ? ` ${argv.join(' ')}` : ''}` };
  }

  private exitLine(): LogLine | undefined {
    if (this.finishedAt === undefined || this.exit === undefined) return undefined;
    const oom = this.exit.oomKilled === true ? ' (OOM killed)' : '';
    return { taskId: this.task.id, stream: 'stderr', timestamp: this.finishedAt, line: `[simulated] exited with code ${this.exit.exitCode}${oom}` };
  }

  private write(stream: 'stdout' | 'stderr', line: string): void {
    if (this.ctx.maxLogLines === 0 && this.logBuffer === undefined) return;
    (this.logBuffer ??= new LogBuffer(this.ctx.maxLogLines)).append({ taskId: this.task.id, stream, timestamp: this.ctx.clock.now(), line });
  }

  private after(ms: number, fn: () => void): void {
    const handle = this.ctx.clock.setTimeout(() => {
      const timers = this.timers;
      const i = timers === undefined ? -1 : timers.indexOf(handle);
      if (i >= 0) timers?.splice(i, 1);
      fn();
    }, ms);
    (this.timers ??= []).push(handle);
  }
}

/** The process a behaviour scripts with `runFor`/`exitCode`, or `undefined` to run the command. */
function scripted(b: SimulatedBehaviour, random: Random): SimulatedProcess | undefined {
  if (b.runFor === undefined && b.exitCode === undefined) return undefined;
  const ms = b.runFor === undefined || b.runFor === 'forever' ? 0 : drawLatency(random, b.runFor, 'runFor');
  return (function* (): ProcessGenerator {
    if (b.runFor === 'forever') yield { kind: 'forever' };
    if (ms > 0) yield { kind: 'sleep', ms };
    return b.exitCode ?? 0;
  })();
}

function* withOutput(lines: readonly string[], process: SimulatedProcess): ProcessGenerator {
  for (const line of lines) yield { kind: 'output', stream: 'stdout', line };
  return yield* process;
}

/** A behaviour's override of a probe's result `elapsedMs` after the start, if it scripts one. */
function scriptedHealth(b: SimulatedBehaviour, elapsedMs: number): boolean | undefined {
  if (b.unhealthyAfter !== undefined && elapsedMs >= parseDuration(b.unhealthyAfter, 'unhealthyAfter')) return false;
  if (b.healthy === undefined) return undefined;
  if (typeof b.healthy === 'boolean') return b.healthy;
  return elapsedMs >= parseDuration(b.healthy, 'healthy');
}
