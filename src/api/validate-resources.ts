import type { GenericResource, ResourceRequirements, Resources } from './specs.js';
import { Fields, compact, type Issues } from './validate-common.js';

/** The smallest non-zero CPU amount SwarmKit accepts: 0.001 CPU, in nano-CPUs. @public */
export const MIN_NANO_CPUS = 1e6;

/** The smallest non-zero memory amount SwarmKit accepts: 4 MiB. @public */
export const MIN_MEMORY_BYTES = 4 * 1024 * 1024;

function genericResource(issues: Issues, value: unknown, path: string): GenericResource | undefined {
  const f = Fields.of(issues, value, path, ['kind', 'namedValue', 'discreteValue']);
  if (f === undefined) return undefined;
  const kind = f.require('kind') ? f.string('kind') : undefined;
  const hasNamed = f.has('namedValue');
  const hasDiscrete = f.has('discreteValue');
  if (hasNamed === hasDiscrete) {
    issues.add(path, 'must set exactly one of namedValue, discreteValue');
    return undefined;
  }
  if (hasNamed) {
    const namedValue = f.string('namedValue');
    return kind === undefined || namedValue === undefined ? undefined : { kind, namedValue };
  }
  const discreteValue = f.integer('discreteValue', { min: 0 });
  return kind === undefined || discreteValue === undefined ? undefined : { kind, discreteValue };
}

function resources(issues: Issues, value: unknown, path: string, side: 'limits' | 'reservations'): Resources | undefined {
  const f = Fields.of(issues, value, path, ['nanoCpus', 'memoryBytes', 'generic', 'pids']);
  if (f === undefined) return undefined;
  let nanoCpus = f.integer('nanoCpus', { min: 0 });
  if (nanoCpus !== undefined && nanoCpus > 0 && nanoCpus < MIN_NANO_CPUS) {
    issues.add(f.at('nanoCpus'), 'must be >= 1000000 (0.001 CPU)');
    nanoCpus = undefined;
  }
  let memoryBytes = f.integer('memoryBytes', { min: 0 });
  if (memoryBytes !== undefined && memoryBytes > 0 && memoryBytes < MIN_MEMORY_BYTES) {
    issues.add(f.at('memoryBytes'), 'must be >= 4 MiB');
    memoryBytes = undefined;
  }
  let generic: GenericResource[] | undefined;
  if (f.has('generic')) {
    if (side === 'limits') {
      issues.add(f.at('generic'), 'can only be set in reservations');
    } else {
      generic = f.list('generic', (v, p) => genericResource(issues, v, p));
    }
  }
  let pids: number | undefined;
  if (f.has('pids')) {
    if (side === 'reservations') issues.add(f.at('pids'), 'can only be set in limits');
    else pids = f.integer('pids', { min: 0 });
  }
  return compact({ nanoCpus, memoryBytes, generic, pids });
}

/**
 * Validates a task's resource requirements: SwarmKit's minimums (a non-zero CPU amount is at least
 * 0.001 CPU, a non-zero memory amount at least 4 MiB; 0 means unset), integer amounts, generic
 * resources only in reservations (kind non-empty, either a non-empty named value or a discrete
 * integer >= 0), pids only in limits, and reservations that do not exceed the limits.
 *
 * @internal
 */
export function validateResourceRequirements(issues: Issues, value: unknown, path: string): ResourceRequirements | undefined {
  const f = Fields.of(issues, value, path, ['limits', 'reservations']);
  if (f === undefined) return undefined;
  const limits = f.object('limits', (v, p) => resources(issues, v, p, 'limits'));
  const reservations = f.object('reservations', (v, p) => resources(issues, v, p, 'reservations'));
  if (limits !== undefined && reservations !== undefined) {
    for (const key of ['nanoCpus', 'memoryBytes'] as const) {
      const limit = limits[key];
      const reserved = reservations[key];
      if (limit !== undefined && limit > 0 && reserved !== undefined && reserved > limit) {
        issues.add(`${path}.reservations.${key}`, `must not exceed ${path}.limits.${key} (${limit})`);
      }
    }
  }
  return compact({ limits, reservations });
}
