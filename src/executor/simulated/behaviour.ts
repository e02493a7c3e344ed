import type { HealthCheck, Task } from '../../api/index.js';
import { parseDuration, type Duration, type Random } from '../../runtime/index.js';
import { ImageSet } from './images.js';

/**
 * A simulated delay: a fixed {@link Duration}, or a range `{ min, max }` from which each use draws
 * uniformly with the executor's seeded `Random` (the same seed gives the same delays).
 *
 * @public
 */
export type SimulatedLatency = Duration | { readonly min: Duration; readonly max: Duration };

/**
 * How a simulated container behaves: a script that overrides what the executor would otherwise
 * do. Every field is optional; a task's behaviour is the field-by-field merge of the executor's
 * default behaviour, its image's, its service's and its own task id's (later ones win; see
 * {@link SimulatedBehaviours}).
 *
 * Without a script, a container runs its `command` and `args` through a small busybox-like
 * interpreter (see {@link SimulatedExecutor}). `runFor` or `exitCode` replace the command's
 * lifetime; `crashAfter` and `oomAfter` end the process early whatever it runs.
 *
 * @example
 * ```ts
 * // Every task of service "web" becomes healthy after 2 s and crashes with exit code 2 after a minute.
 * const behaviour: SimulatedBehaviour = { healthy: '2s', crashAfter: '1m', crashExitCode: 2 };
 * ```
 * @public
 */
export interface SimulatedBehaviour {
  /** How long `prepare` takes (image pull and container creation), replacing the executor's latencies. */
  readonly prepareLatency?: SimulatedLatency;
  /** How long `start` takes before the process runs, replacing the executor's `startLatency`. */
  readonly startLatency?: SimulatedLatency;
  /** `prepare` fails with this message, not temporarily (like an image that cannot be pulled). */
  readonly prepareError?: string;
  /** The first `n` `prepare` attempts of a task fail temporarily (like a registry hiccup). */
  readonly temporaryErrors?: number;
  /** `start` fails with this message (like `exec: "foo": executable file not found`). */
  readonly refuseToStart?: string;
  /**
   * The process runs this long, then exits with `exitCode`, instead of running its command;
   * `'forever'` runs until stopped.
   */
  readonly runFor?: SimulatedLatency | 'forever';
  /** The exit code when `runFor` ends (default 0); set alone, the process exits at once with it. */
  readonly exitCode?: number;
  /** The process crashes this long after it started, with `crashExitCode`. */
  readonly crashAfter?: SimulatedLatency;
  /** The exit code of a crash (default 1). */
  readonly crashExitCode?: number;
  /** The kernel kills the process for memory this long after it started: exit 137, `oomKilled`. */
  readonly oomAfter?: SimulatedLatency;
  /**
   * Health probe results, when the task has a health check: `true` every probe passes, `false`
   * every probe fails, a duration: probes fail until that long after the start, then pass.
   * Unset: the probe's command decides (e.g. `['CMD', 'true']` passes).
   */
  readonly healthy?: boolean | Duration;
  /** Probes fail from this long after the start (the task turns unhealthy after `retries` of them). */
  readonly unhealthyAfter?: Duration;
  /**
   * The image's own health check (Docker's `HEALTHCHECK`), used when the task's spec has none;
   * its fields also fill the ones the task's health check leaves unset.
   */
  readonly healthcheck?: HealthCheck;
  /**
   * The process ignores its stop signal and every other signal but `SIGKILL`: `shutdown` then
   * ends it only when the grace period is over (exit 137).
   */
  readonly ignoreStopSignal?: boolean;
  /** Lines the process writes to stdout as soon as it starts, before anything else. */
  readonly output?: readonly string[];
}

/**
 * Scripted behaviours, by scope. A task's behaviour merges, field by field, `default`, then the
 * entry for its image, then for its service name, then for its task id.
 *
 * Image keys match like Docker references: `busybox` matches every tag of busybox,
 * `busybox:1.36` only that tag.
 *
 * @public
 */
export interface SimulatedBehaviours {
  readonly default?: SimulatedBehaviour;
  readonly images?: Readonly<Record<string, SimulatedBehaviour>>;
  readonly services?: Readonly<Record<string, SimulatedBehaviour>>;
  readonly tasks?: Readonly<Record<string, SimulatedBehaviour>>;
}

/**
 * What {@link SimulatedExecutor.setBehaviour} scripts: the executor's default, an image, a
 * service (by name) or one task (by id).
 *
 * @public
 */
export type SimulatedBehaviourTarget =
  | 'default'
  | { readonly image: string }
  | { readonly service: string }
  | { readonly taskId: string };

const NO_BEHAVIOUR: SimulatedBehaviour = Object.freeze({});

/** Draws one delay in milliseconds (whole milliseconds for ranges). @internal */
export function drawLatency(random: Random, latency: SimulatedLatency, path: string): number {
  if (typeof latency === 'number' || typeof latency === 'string') return parseDuration(latency, path);
  const min = parseDuration(latency.min, `${path}.min`);
  const max = parseDuration(latency.max, `${path}.max`);
  if (max <= min) return min;
  return min + Math.round(random.next() * (max - min));
}

/** The scripted behaviours of one executor, by scope. @internal */
export class BehaviourBook {
  private fallback: SimulatedBehaviour | undefined;
  private readonly images = new ImageSet<SimulatedBehaviour>();
  private readonly services = new Map<string, SimulatedBehaviour>();
  private readonly tasks = new Map<string, SimulatedBehaviour>();

  constructor(initial: SimulatedBehaviours = {}) {
    this.fallback = initial.default;
    for (const [k, v] of Object.entries(initial.images ?? {})) this.images.set(k, v);
    for (const [k, v] of Object.entries(initial.services ?? {})) this.services.set(k, v);
    for (const [k, v] of Object.entries(initial.tasks ?? {})) this.tasks.set(k, v);
  }

  set(target: SimulatedBehaviourTarget, behaviour: SimulatedBehaviour | undefined): void {
    if (target === 'default') {
      this.fallback = behaviour;
    } else if ('image' in target) {
      if (behaviour === undefined) this.images.delete(target.image);
      else this.images.set(target.image, behaviour);
    } else if ('service' in target) {
      if (behaviour === undefined) this.services.delete(target.service);
      else this.services.set(target.service, behaviour);
    } else if (behaviour === undefined) {
      this.tasks.delete(target.taskId);
    } else {
      this.tasks.set(target.taskId, behaviour);
    }
  }

  /** The merged behaviour for `task`, as it stands now. */
  resolve(task: Task): SimulatedBehaviour {
    const layers = [this.fallback, this.images.get(task.spec.container.image), this.services.get(task.serviceName), this.tasks.get(task.id)];
    let out: SimulatedBehaviour | undefined;
    let copied = false;
    for (const layer of layers) {
      if (layer === undefined) continue;
      if (out === undefined) {
        out = layer; // one layer (the common case) needs no copy
        continue;
      }
      if (!copied) {
        out = { ...out };
        copied = true;
      }
      for (const [k, v] of Object.entries(layer)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
    }
    return out ?? NO_BEHAVIOUR;
  }
}
