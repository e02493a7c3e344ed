import { DEFAULT_UPDATE_CONFIG } from './defaults.js';
import type { FailureAction, UpdateConfig } from './specs.js';
import { Fields, compact, type Issues } from './validate-common.js';

const UPDATE_FAILURE_ACTIONS: readonly FailureAction[] = ['pause', 'continue', 'rollback'];
// A failed rollback cannot roll back again: Docker's CLI offers only pause and continue.
const ROLLBACK_FAILURE_ACTIONS: readonly FailureAction[] = ['pause', 'continue'];
const ORDERS = ['stop-first', 'start-first'] as const;

/**
 * Validates an update (or, with `kind` `rollback`, a rollback) config and fills Docker's
 * defaults: parallelism 1 (0 = all at once), no delay, failure action `pause`, monitor 5 s, max
 * failure ratio 0, order `stop-first`. Parallelism is an integer >= 0, delays are non-negative
 * durations, the ratio lies in [0, 1].
 *
 * @internal
 */
export function validateUpdateConfig(issues: Issues, value: unknown, path: string, kind: 'update' | 'rollback'): UpdateConfig {
  const d = DEFAULT_UPDATE_CONFIG;
  const f = value === undefined ? undefined : Fields.of(issues, value, path, ['parallelism', 'delay', 'failureAction', 'monitor', 'maxFailureRatio', 'order']);
  return compact({
    parallelism: f?.integer('parallelism', { min: 0 }) ?? d.parallelism,
    delay: f?.duration('delay') ?? d.delay,
    failureAction: f?.enumOf('failureAction', kind === 'update' ? UPDATE_FAILURE_ACTIONS : ROLLBACK_FAILURE_ACTIONS) ?? d.failureAction,
    monitor: f?.duration('monitor') ?? d.monitor,
    maxFailureRatio: f?.number('maxFailureRatio', { min: 0, max: 1 }) ?? d.maxFailureRatio,
    order: f?.enumOf('order', ORDERS) ?? d.order,
  });
}
