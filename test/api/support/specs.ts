import { safeValidateServiceSpec } from '../../../src/api/index.js';
import type { ValidationIssue } from '../../../src/errors/index.js';

/** A minimal valid service spec, as plain JSON-like data. */
export const IMAGE = 'nginx:1.27';

/** Returns a fresh minimal valid spec with `top` merged at the top level. */
export function service(top: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'web', task: { container: { image: IMAGE } }, ...top };
}

/** A spec whose task has `fields` besides the minimal container. */
export function withTask(fields: Record<string, unknown>, top: Record<string, unknown> = {}): Record<string, unknown> {
  return service({ task: { container: { image: IMAGE }, ...fields }, ...top });
}

/** A spec whose container has `fields` besides the image. */
export function withContainer(fields: Record<string, unknown>): Record<string, unknown> {
  return service({ task: { container: { image: IMAGE, ...fields } } });
}

/** The issues validation reports for `input` (empty when it is valid). */
export function issuesOf(input: unknown): readonly ValidationIssue[] {
  const r = safeValidateServiceSpec(input);
  return r.ok ? [] : r.issues;
}

/** True when every object and array reachable from `value` is frozen. */
export function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(isDeepFrozen);
}
