/*
 * Docker's health check semantics on simulated time: the first probe runs one interval after the
 * start (the start interval while in the start period); the next one an interval after the
 * previous probe ended. A passing probe makes the container healthy and resets the failure
 * streak; a failing one that began after the start period (or after the container was already
 * healthy once) extends the streak, and `retries` consecutive failures make it unhealthy. A
 * probe that runs longer than `timeout` fails.
 */
import type { HealthCheck } from '../../api/index.js';
import { parseDuration, type Clock, type Duration, type TimerHandle } from '../../runtime/index.js';
import { runArgv, runInstantly } from './process.js';

/** Docker's defaults for unset (or zero) health check fields. */
const DEFAULTS = { interval: 30_000, timeout: 30_000, startPeriod: 0, startInterval: 5_000, retries: 3 };

/** A health check with every field resolved to milliseconds. @internal */
export interface EffectiveHealthCheck {
  readonly test: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly startPeriodMs: number;
  readonly startIntervalMs: number;
  readonly retries: number;
}

/** Docker's health status of a container. @public */
export type SimulatedHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

/**
 * The health check a container runs: the task's, with unset fields taken from the image's, then
 * Docker's defaults; `undefined` when there is none or its test is `['NONE']`.
 *
 * @internal
 */
export function effectiveHealthCheck(spec: HealthCheck | undefined, image: HealthCheck | undefined): EffectiveHealthCheck | undefined {
  const test = spec?.test !== undefined && spec.test.length > 0 ? spec.test : image?.test;
  if (test === undefined || test.length === 0 || test[0] === 'NONE') return undefined;
  const ms = (key: 'interval' | 'timeout' | 'startPeriod' | 'startInterval'): number => {
    const pick = (d: Duration | undefined): number | undefined => {
      const v = d === undefined ? undefined : parseDuration(d, `healthcheck.${key}`);
      return v === undefined || v === 0 ? undefined : v;
    };
    return pick(spec?.[key]) ?? pick(image?.[key]) ?? DEFAULTS[key];
  };
  const retries = spec?.retries !== undefined && spec.retries > 0 ? spec.retries : image?.retries !== undefined && image.retries > 0 ? image.retries : DEFAULTS.retries;
  return { test, intervalMs: ms('interval'), timeoutMs: ms('timeout'), startPeriodMs: ms('startPeriod'), startIntervalMs: ms('startInterval'), retries };
}

/**
 * Runs a probe's test at once: `['CMD', ...argv]` or `['CMD-SHELL', script]`, in probe mode (an
 * unknown program passes). Returns whether it passed and how long it took.
 *
 * @internal
 */
export function runProbe(check: EffectiveHealthCheck): { readonly passed: boolean; readonly elapsedMs: number } {
  const [kind, ...rest] = check.test;
  const argv = kind === 'CMD-SHELL' ? ['sh', '-c', rest.join(' ')] : rest;
  const run = runInstantly(runArgv(argv, 'probe'), check.timeoutMs);
  return { passed: run.exitCode === 0, elapsedMs: run.elapsedMs };
}

/** What the monitor asks its container. @internal */
export interface HealthHost {
  readonly clock: Clock;
  readonly startedAt: number;
  /** Overrides the probe's own result (scripted health); `undefined` lets the test decide. */
  scriptedResult(elapsedSinceStartMs: number): boolean | undefined;
  onChange(status: 'healthy' | 'unhealthy'): void;
}

/** Probes one running container until stopped. @internal */
export class HealthMonitor {
  private status: SimulatedHealth = 'starting';
  private streak = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly check: EffectiveHealthCheck,
    private readonly host: HealthHost,
  ) {
    this.schedule(this.inStartPeriod(host.startedAt) ? check.startIntervalMs : check.intervalMs);
  }

  get health(): SimulatedHealth {
    return this.status;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private inStartPeriod(at: number): boolean {
    return this.status === 'starting' && at < this.host.startedAt + this.check.startPeriodMs;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.host.clock.setTimeout(() => this.probe(), ms);
  }

  private probe(): void {
    this.timer = undefined;
    const clock = this.host.clock;
    const began = clock.now();
    const scripted = this.host.scriptedResult(began - this.host.startedAt);
    const run = scripted === undefined ? runProbe(this.check) : { passed: scripted, elapsedMs: 0 };
    const finish = (): void => {
      this.timer = undefined;
      if (this.stopped) return;
      this.record(run.passed, began);
      if (this.stopped) return;
      this.schedule(this.inStartPeriod(clock.now()) ? this.check.startIntervalMs : this.check.intervalMs);
    };
    if (run.elapsedMs > 0) this.timer = clock.setTimeout(finish, run.elapsedMs);
    else finish();
  }

  private record(passed: boolean, began: number): void {
    if (passed) {
      this.streak = 0;
      if (this.status !== 'healthy') {
        this.status = 'healthy';
        this.host.onChange('healthy');
      }
      return;
    }
    if (this.inStartPeriod(began)) return;
    this.streak++;
    if (this.streak >= this.check.retries && this.status !== 'unhealthy') {
      this.status = 'unhealthy';
      this.host.onChange('unhealthy');
    }
  }
}
