import Docker from 'dockerode';
import type { Labels, NodeDescription, Task } from '../../api/index.js';
import { ValidationError, type ValidationIssue } from '../../errors/index.js';
import { SystemClock, type Clock, type Logger } from '../../runtime/index.js';
import type { Controller } from '../controller.js';
import type { ExistingTask, Executor, LogLine, LogOptions } from '../executor.js';
import { DockerContext } from './context.js';
import { DockerController } from './controller.js';
import { nodeDescription } from './describe.js';
import { DockerEngine } from './engine.js';
import { dockerEngineError } from './errors.js';
import { EventMonitor } from './events.js';
import { DEFAULT_DOCKER_SCOPE, DOCKER_LABELS, scopeFilters } from './labels.js';
import { taskLogs } from './logs.js';

/** Options of {@link DockerExecutor}. @public */
export interface DockerExecutorOptions {
  /** The dockerode client to use. Default: a new one on `socketPath`. */
  readonly docker?: Docker;
  /**
   * The engine's socket when no `docker` client is given. Default: what dockerode picks
   * (`DOCKER_HOST`, else `/var/run/docker.sock`).
   */
  readonly socketPath?: string;
  /**
   * Which containers are this executor's: it labels what it creates `io.flotilla.scope=<scope>`
   * and only ever lists, adopts, stops or removes containers with that label. Executors sharing
   * one engine (several Flotilla nodes on one host, or several clusters) need different scopes,
   * or they would adopt and remove each other's containers; an executor restarted with the same
   * scope adopts its containers. Default `default`.
   */
  readonly scope?: string;
  /** The hostname `describe` reports (default: the engine's, from `docker info`). */
  readonly hostname?: string;
  /** Engine labels `describe` reports in addition to the daemon's own. */
  readonly engineLabels?: Labels;
  /** Timers (event-stream reconnection, polling). Default: the system clock. */
  readonly clock?: Clock;
  /**
   * How often a controller waiting for a container's exit or health looks at it even without
   * an event, as a safety net for a missed event (default 10 s). Events drive everything else.
   */
  readonly pollIntervalMs?: number;
  /** Where the executor reports pulls, stops of unhealthy containers and event-stream trouble. */
  readonly logger?: Logger;
}

/**
 * Runs tasks as containers on a real Docker engine, through dockerode, the way Swarm's agent does
 * (SwarmKit's `agent/exec/dockerapi`): one container per task, named `<service>.<slot>.<task id>`
 * and labelled with Swarm's `com.docker.swarm.*` labels plus Flotilla's scope label.
 *
 * - `prepare` pulls the image when the engine does not have it (a failed pull rejects with
 *   Docker's own message, e.g. `No such image: ...`, not temporarily; an unreachable engine
 *   rejects temporarily) and creates the container, or reuses this task's existing one.
 * - `start` starts it and, when it has a healthcheck, resolves once healthy; it rejects with
 *   `TASK_UNHEALTHY` (after stopping the container, as Swarm does) or `TASK_START_FAILED` when the
 *   process exits non-zero first.
 * - `wait` follows the container to its exit through the engine's event stream (one shared
 *   stream per executor), with the exit code, OOM kills and engine errors; it rejects with
 *   `TASK_UNHEALTHY` when the container turns unhealthy, after stopping it.
 * - `shutdown` is `docker stop` with the grace period (whole seconds, rounded up), `terminate` is
 *   `docker kill`, `remove` is `docker rm --force --volumes`.
 *
 * Only host-mode published ports are bound (ingress ports need the routing mesh); networks and
 * secrets are not attached yet (the seams are in `attachments.ts`). Executors sharing one engine
 * must have different `scope`s.
 *
 * @example
 * ```ts
 * import { Cluster } from 'flotilla';
 * import { DockerExecutor } from 'flotilla/docker';
 *
 * const cluster = await Cluster.create({
 *   managers: 1,
 *   executor: (ctx) => new DockerExecutor({ scope: ctx.hostname }),
 * });
 * ```
 * @public
 */
export class DockerExecutor implements Executor {
  /** The dockerode client the executor talks through. */
  readonly docker: Docker;
  /** The scope label value of this executor's containers. */
  readonly scope: string;
  private readonly ctx: DockerContext;
  private readonly events: EventMonitor;
  private readonly engine: DockerEngine;
  private readonly options: DockerExecutorOptions;

  constructor(options: DockerExecutorOptions = {}) {
    const issues: ValidationIssue[] = [];
    if (options.scope !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(options.scope)) {
      issues.push({ path: 'scope', message: 'must be letters, digits, "_", ".", ":" or "-", starting with a letter or digit' });
    }
    const poll = options.pollIntervalMs;
    if (poll !== undefined && !(Number.isFinite(poll) && poll >= 100)) issues.push({ path: 'pollIntervalMs', message: 'must be a number >= 100' });
    if (issues.length > 0) throw new ValidationError(issues);
    this.options = options;
    this.docker = options.docker ?? new Docker(options.socketPath !== undefined ? { socketPath: options.socketPath } : undefined);
    this.scope = options.scope ?? DEFAULT_DOCKER_SCOPE;
    const clock = options.clock ?? new SystemClock();
    this.engine = new DockerEngine(this.docker);
    this.events = new EventMonitor(this.engine, this.scope, clock, options.logger);
    this.ctx = new DockerContext(this.engine, this.events, this.scope, clock, poll ?? 10_000, options.logger);
  }

  /**
   * The node as `docker info` describes it: hostname (or the `hostname` option), OS and
   * architecture as Docker reports them (e.g. `linux`, `x86_64`), CPUs as nano CPUs, total
   * memory, engine version and labels.
   */
  async describe(): Promise<NodeDescription> {
    try {
      const [info, version] = await Promise.all([this.engine.info(), this.engine.version()]);
      return nodeDescription(info, version, {
        ...(this.options.hostname !== undefined ? { hostname: this.options.hostname } : {}),
        ...(this.options.engineLabels !== undefined ? { engineLabels: this.options.engineLabels } : {}),
      });
    } catch (e) {
      throw dockerEngineError(e, 'describing the Docker engine failed');
    }
  }

  /** A controller for `task`; every controller for the same task id drives the same container. */
  controller(task: Task): Controller {
    return new DockerController(this.ctx, task);
  }

  /** The containers of this executor's scope (any state), by the task id in their labels. */
  async listTasks(): Promise<readonly ExistingTask[]> {
    try {
      const listed = await this.engine.list(scopeFilters(this.scope));
      return listed
        .map((c) => ({ taskId: c.Labels?.[DOCKER_LABELS.taskId] ?? '', containerId: c.Id }))
        .filter((t) => t.taskId !== '');
    } catch (e) {
      throw dockerEngineError(e, 'listing containers failed');
    }
  }

  /**
   * The task's container output, line by line with Docker's timestamps
   * (`docker logs --timestamps`): stdout and stderr, `tail` lines, lines `since` a time, and with `follow` new
   * lines until the container stops or the iterator is closed (following a container that has
   * not started yet waits for its start). A task without a container has no lines.
   */
  logs(task: Task, options: LogOptions = {}): AsyncIterable<LogLine> {
    return taskLogs(this.ctx, task, options);
  }

  /**
   * Drops the executor's event stream at once (it is otherwise open only while a controller
   * waits on a container, and closes with the last one). Controllers still waiting fall back to
   * polling every `pollIntervalMs`; a later wait opens the stream again.
   */
  close(): void {
    this.events.close();
  }
}
