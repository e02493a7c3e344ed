import { DEFAULT_UPDATE_CONFIG } from '../../api/index.js';
import type { FailureAction, Service, UpdateConfig } from '../../api/index.js';
import { parseDuration } from '../../runtime/index.js';

/**
 * An update (or rollback) config with every field filled and every duration in milliseconds, as
 * the updater uses it.
 *
 * @public
 */
export interface ResolvedUpdateConfig {
  /** Slots updated at once; 0 means all dirty slots at once. */
  readonly parallelism: number;
  /** Wait after each slot's new task runs, before that worker takes the next slot (ms). */
  readonly delay: number;
  /**
   * What a failure beyond `maxFailureRatio` does. While rolling back, `rollback` acts as `pause`
   * (a rollback is never rolled back).
   */
  readonly failureAction: FailureAction;
  /** How long a new task is watched for failure after it starts running (ms). */
  readonly monitor: number;
  /** Tolerated share of failed slots, 0..1; the action fires when failures / dirty slots exceed it. */
  readonly maxFailureRatio: number;
  readonly order: 'stop-first' | 'start-first';
}

/**
 * How long the updater keeps watching after the last slot (and its delay) before it declares the
 * update complete: `monitor`, or `delay + 1 s` when `delay >= monitor` (SwarmKit's fix for
 * moby#37972, where a failure of the last batch went unnoticed when the delay was longer than the
 * monitoring period).
 *
 * @public
 */
export function finalMonitorPeriod(config: Pick<ResolvedUpdateConfig, 'delay' | 'monitor'>): number {
  return config.delay >= config.monitor ? config.delay + 1000 : config.monitor;
}

function fill(config: UpdateConfig | undefined): ResolvedUpdateConfig {
  const d = DEFAULT_UPDATE_CONFIG;
  const parallelism = config?.parallelism;
  const ratio = config?.maxFailureRatio;
  return {
    parallelism: parallelism !== undefined && Number.isInteger(parallelism) && parallelism >= 0 ? parallelism : d.parallelism,
    delay: parseDuration(config?.delay ?? d.delay, 'delay'),
    failureAction: config?.failureAction ?? d.failureAction,
    monitor: parseDuration(config?.monitor ?? d.monitor, 'monitor'),
    maxFailureRatio: ratio !== undefined && Number.isFinite(ratio) ? Math.min(Math.max(ratio, 0), 1) : d.maxFailureRatio,
    order: config?.order ?? d.order,
  };
}

/**
 * The config an update of `service` runs with: `spec.update`, or `spec.rollback` when
 * `rollingBack`, with Docker's defaults ({@link DEFAULT_UPDATE_CONFIG}) for what is unset.
 *
 * @public
 */
export function resolveUpdateConfig(service: Pick<Service, 'spec'>, rollingBack: boolean): ResolvedUpdateConfig {
  return fill(rollingBack ? service.spec.rollback : service.spec.update);
}
