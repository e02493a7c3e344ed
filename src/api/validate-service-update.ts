import type { ValidationIssue } from '../errors/index.js';
import { serviceModeKind, type ServiceModeKind } from './service-mode.js';
import type { ServiceSpec } from './specs.js';
import { isRecord, unwrap, type ValidationResult } from './validate-common.js';
import { safeValidateServiceSpec } from './validate-service.js';

const KINDS: readonly ServiceModeKind[] = ['replicated', 'global', 'replicatedJob', 'globalJob'];

function rawModeKind(next: Record<string, unknown>): ServiceModeKind | undefined {
  const mode = next.mode;
  if (mode === undefined || mode === null) return 'replicated';
  if (!isRecord(mode)) return undefined;
  const set = KINDS.filter((k) => mode[k] !== undefined && mode[k] !== null);
  return set.length === 1 ? set[0] : undefined;
}

/**
 * Validates a new spec for an existing service: every rule of `validateServiceSpec`, plus
 * SwarmKit's update rules: the name cannot change (services are not renamed) and neither can the
 * mode's kind (replicated, global, replicated job, global job); replicas and job counts may.
 *
 * @param current - the service's current spec
 * @param next - the proposed spec
 * @public
 */
export function safeValidateServiceSpecUpdate(current: ServiceSpec, next: unknown): ValidationResult<ServiceSpec> {
  const result = safeValidateServiceSpec(next);
  if (!isRecord(next)) return result;
  const extra: ValidationIssue[] = [];
  if (typeof next.name === 'string' && next.name !== current.name) {
    extra.push({ path: 'name', message: `cannot change from "${current.name}" (services cannot be renamed)` });
  }
  const before = serviceModeKind(current);
  const after = rawModeKind(next);
  if (after !== undefined && after !== before) {
    extra.push({ path: 'mode', message: `cannot change from ${before} to ${after} (a service's mode is fixed)` });
  }
  if (extra.length === 0) return result;
  return { ok: false, issues: Object.freeze([...extra, ...(result.ok ? [] : result.issues)]) };
}

/**
 * Throwing form of {@link safeValidateServiceSpecUpdate}: returns the new spec, normalised and
 * deep-frozen, or throws one `ValidationError` with every issue.
 *
 * @example
 * ```ts
 * const next = validateServiceSpecUpdate(service.spec, { ...service.spec, mode: { replicated: { replicas: 5 } } });
 * ```
 * @public
 */
export function validateServiceSpecUpdate(current: ServiceSpec, next: ServiceSpec): ServiceSpec {
  return unwrap(safeValidateServiceSpecUpdate(current, next));
}
