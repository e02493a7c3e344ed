import { deepFreeze } from './deep-freeze.js';
import { DEFAULT_MAX_CONCURRENT, DEFAULT_REPLICAS } from './defaults.js';
import { checkObjectName } from './names.js';
import { serviceModeKind, type ServiceModeKind } from './service-mode.js';
import type { ServiceMode, ServiceSpec } from './specs.js';
import { Fields, asString, compact, isRecord, runValidation, unwrap, type Issues, type ValidationResult } from './validate-common.js';
import { validateEndpointSpec } from './validate-endpoint.js';
import { validateTaskSpec } from './validate-task.js';
import { validateUpdateConfig } from './validate-update.js';

const MODE_KINDS: readonly ServiceModeKind[] = ['replicated', 'global', 'replicatedJob', 'globalJob'];
const SERVICE_FIELDS = ['name', 'labels', 'mode', 'task', 'update', 'rollback', 'endpoint', 'networks'];

function validateMode(issues: Issues, value: unknown, path: string): ServiceMode | undefined {
  if (value === undefined || value === null) return { replicated: { replicas: DEFAULT_REPLICAS } };
  if (!isRecord(value)) {
    issues.add(path, 'must be an object');
    return undefined;
  }
  const f = Fields.of(issues, value, path, MODE_KINDS);
  const set = MODE_KINDS.filter((k) => f?.has(k) === true);
  if (f === undefined || set.length !== 1) {
    issues.add(path, `must set exactly one of ${MODE_KINDS.join(', ')}`);
    return undefined;
  }
  const kind = set[0] as ServiceModeKind;
  const inner = Fields.of(issues, f.get(kind), f.at(kind), kind === 'replicated' ? ['replicas'] : kind === 'replicatedJob' ? ['maxConcurrent', 'totalCompletions'] : []);
  if (inner === undefined) return undefined;
  switch (kind) {
    case 'replicated':
      return { replicated: { replicas: inner.integer('replicas', { min: 0 }) ?? DEFAULT_REPLICAS } };
    case 'replicatedJob': {
      // A job with no concurrency would never run; Docker's API leaves that to the user, we reject it.
      const maxConcurrent = inner.integer('maxConcurrent', { min: 1 }) ?? DEFAULT_MAX_CONCURRENT;
      // As Docker does: total completions default to the concurrency.
      const totalCompletions = inner.integer('totalCompletions', { min: 0 }) ?? maxConcurrent;
      return { replicatedJob: { maxConcurrent, totalCompletions } };
    }
    case 'global':
      return { global: {} };
    case 'globalJob':
      return { globalJob: {} };
  }
}

function serviceNetworks(f: Fields): string[] | undefined {
  const seen = new Map<string, string>();
  return f.list('networks', (v, p) => {
    const target = asString(f.issues, v, p);
    if (target === undefined) return undefined;
    const first = seen.get(target);
    if (first !== undefined) f.issues.add(p, `duplicates ${first}`);
    else seen.set(target, p);
    return target;
  });
}

function checkService(issues: Issues, input: unknown): ServiceSpec | undefined {
  const f = Fields.of(issues, input, '', SERVICE_FIELDS);
  if (f === undefined) return undefined;
  const name = checkObjectName(issues, f.get('name'), 'name');
  const labels = f.record('labels');
  const mode = validateMode(issues, f.get('mode'), 'mode');
  const kind = mode === undefined ? undefined : serviceModeKind({ mode });
  const job = kind === 'replicatedJob' || kind === 'globalJob';
  const task = f.require('task') ? validateTaskSpec(issues, f.get('task'), 'task', job) : undefined;
  if (kind === 'global' && task?.placement?.maxReplicas !== undefined && task.placement.maxReplicas > 0) {
    issues.add('task.placement.maxReplicas', 'can only be used with replicated or replicatedJob mode');
  }
  let update;
  let rollback;
  if (job) {
    // SwarmKit: "Jobs may not have an update config". A rollback config is accepted (as SwarmKit
    // does) but has no defaults filled, since a job is never rolled back.
    if (f.has('update')) issues.add('update', 'jobs may not have an update config');
    if (f.has('rollback')) rollback = validateUpdateConfig(issues, f.get('rollback'), 'rollback', 'rollback');
  } else {
    update = validateUpdateConfig(issues, f.get('update'), 'update', 'update');
    rollback = validateUpdateConfig(issues, f.get('rollback'), 'rollback', 'rollback');
  }
  const endpoint = validateEndpointSpec(issues, f.get('endpoint'), 'endpoint');
  const networks = serviceNetworks(f);
  if (name === undefined || mode === undefined || task === undefined) return undefined;
  return compact<ServiceSpec>({ name, labels, mode, task, update, rollback, endpoint, networks });
}

/**
 * Validates a service spec without throwing: the normalised spec (as {@link validateServiceSpec}
 * returns it) or every issue found.
 *
 * @example
 * ```ts
 * const r = safeValidateServiceSpec(JSON.parse(body));
 * if (!r.ok) for (const i of r.issues) report(`${i.path}: ${i.message}`);
 * ```
 * @public
 */
export function safeValidateServiceSpec(input: unknown): ValidationResult<ServiceSpec> {
  return runValidation((issues) => {
    const spec = checkService(issues, input);
    return spec === undefined ? undefined : deepFreeze(spec);
  });
}

/**
 * Validates a service spec as Docker (SwarmKit's controlapi, the Docker CLI) would, and returns a
 * new, deep-frozen spec with Docker's defaults filled in and every duration converted to
 * milliseconds. The input is not modified and is treated as untrusted: wrong types and unknown
 * fields are issues, not crashes.
 *
 * Defaults: mode `replicated` with 1 replica (a replicated job runs 1 at a time and completes
 * `maxConcurrent` times); restart policy `any` (`on-failure` for jobs), delay 5 s, unlimited
 * attempts, no window; update and rollback parallelism 1, no delay, `pause`, monitor 5 s, ratio 0,
 * `stop-first` (jobs get no update config); stop grace period 10 s; endpoint mode `vip`, ports
 * `tcp` and `ingress`; secret and config files named after the object, uid/gid 0, mode 0444.
 *
 * Names follow SwarmKit's rule for services, stricter than Docker's general name rule: 1-63
 * letters, digits, `-` and `_`, starting and ending with a letter or a digit (see
 * `isValidServiceName`), since the name becomes a DNS name on the service's networks.
 *
 * Paths in issues are dotted, with array elements in brackets: `task.placement.constraints[0]`.
 *
 * @throws ValidationError listing every issue found
 * @example
 * ```ts
 * const spec = validateServiceSpec({ name: 'web', task: { container: { image: 'nginx:1.27' } } });
 * spec.mode;                          // { replicated: { replicas: 1 } }
 * spec.task.restartPolicy?.delay;     // 5000
 * ```
 * @public
 */
export function validateServiceSpec(input: ServiceSpec): ServiceSpec {
  return unwrap(safeValidateServiceSpec(input));
}
