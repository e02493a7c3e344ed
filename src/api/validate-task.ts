import { DEFAULT_JOB_RESTART_POLICY, DEFAULT_RESTART_POLICY } from './defaults.js';
import type { LogDriver, NetworkAttachmentConfig, RestartPolicy, TaskSpec } from './specs.js';
import { Fields, compact, type Issues } from './validate-common.js';
import { validateContainerSpec } from './validate-container.js';
import { validatePlacement } from './validate-placement.js';
import { validateResourceRequirements } from './validate-resources.js';

const RESTART_CONDITIONS = ['none', 'on-failure', 'any'] as const;

function backoff(issues: Issues, value: unknown, path: string): RestartPolicy['backoff'] {
  const f = Fields.of(issues, value, path, ['factor', 'maxDelay']);
  if (f === undefined) return undefined;
  return compact({ factor: f.number('factor', { min: 1 }), maxDelay: f.duration('maxDelay') });
}

/**
 * Validates a restart policy and fills the defaults: condition `any` (`on-failure` for jobs),
 * delay 5 s, unlimited attempts, no window. Delays are non-negative durations; `maxAttempts` an
 * integer >= 0; the Flotilla backoff factor >= 1.
 *
 * @internal
 */
export function validateRestartPolicy(issues: Issues, value: unknown, path: string, job: boolean): RestartPolicy {
  const defaults = job ? DEFAULT_JOB_RESTART_POLICY : DEFAULT_RESTART_POLICY;
  const f = value === undefined ? undefined : Fields.of(issues, value, path, ['condition', 'delay', 'maxAttempts', 'window', 'backoff']);
  return compact({
    condition: f?.enumOf('condition', RESTART_CONDITIONS) ?? defaults.condition,
    delay: f?.duration('delay') ?? defaults.delay,
    maxAttempts: f?.integer('maxAttempts', { min: 0 }) ?? defaults.maxAttempts,
    window: f?.duration('window') ?? defaults.window,
    backoff: f?.object('backoff', (v, p) => backoff(issues, v, p)),
  });
}

/** Validates a log driver: a non-empty name and string options. @internal */
export function validateLogDriver(issues: Issues, value: unknown, path: string): LogDriver | undefined {
  const f = Fields.of(issues, value, path, ['name', 'options']);
  if (f === undefined) return undefined;
  const name = f.require('name') ? f.string('name') : undefined;
  const options = f.record('options');
  return name === undefined ? undefined : compact({ name, options });
}

function attachment(issues: Issues, value: unknown, path: string, seen: Map<string, string>): NetworkAttachmentConfig | undefined {
  const f = Fields.of(issues, value, path, ['target', 'aliases', 'driverOpts']);
  if (f === undefined) return undefined;
  const target = f.require('target') ? f.string('target') : undefined;
  if (target !== undefined) {
    const first = seen.get(target);
    if (first !== undefined) issues.add(f.at('target'), `duplicates the network of ${first}`);
    else seen.set(target, path);
  }
  const aliases = f.strings('aliases');
  const driverOpts = f.record('driverOpts');
  return target === undefined ? undefined : compact({ target, aliases, driverOpts });
}

/**
 * Validates a task spec: its container, resources, restart policy (defaults filled; `job` picks
 * the job default), placement, network attachments (each network once), log driver and
 * `forceUpdate` counter.
 *
 * @internal
 */
export function validateTaskSpec(issues: Issues, value: unknown, path: string, job: boolean): TaskSpec | undefined {
  const f = Fields.of(issues, value, path, ['container', 'resources', 'restartPolicy', 'placement', 'networks', 'logDriver', 'forceUpdate']);
  if (f === undefined) return undefined;
  const container = f.require('container') ? f.object('container', (v, p) => validateContainerSpec(issues, v, p)) : undefined;
  const networks = new Map<string, string>();
  const task = compact<TaskSpec>({
    container: container ?? { image: '' },
    resources: f.object('resources', (v, p) => validateResourceRequirements(issues, v, p)),
    restartPolicy: validateRestartPolicy(issues, f.get('restartPolicy'), f.at('restartPolicy'), job),
    placement: f.object('placement', (v, p) => validatePlacement(issues, v, p)),
    networks: f.list('networks', (v, p) => attachment(issues, v, p, networks)),
    logDriver: f.object('logDriver', (v, p) => validateLogDriver(issues, v, p)),
    forceUpdate: f.integer('forceUpdate', { min: 0 }),
  });
  return task;
}
