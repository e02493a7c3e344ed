import type { Meta } from '../api/index.js';

/**
 * Freezes `value` and everything reachable from it, in place. Subtrees that are already frozen
 * are taken as done (so shared frozen specs cost nothing). Typed arrays cannot be frozen and are
 * left as they are.
 *
 * @internal
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * A frozen shallow copy of `obj` with `meta` replaced; the rest of the object is frozen in place.
 *
 * @internal
 */
export function withMeta<T extends { readonly meta: Meta }>(obj: T, meta: Meta): T {
  const copy = { ...obj, meta: Object.freeze({ version: meta.version, createdAt: meta.createdAt, updatedAt: meta.updatedAt }) };
  for (const key of Object.keys(copy)) deepFreeze((copy as Record<string, unknown>)[key]);
  return Object.freeze(copy);
}

/**
 * The committed copy of a staged object: `withMeta` with the commit version. Kept apart from
 * `withMeta`, whose copies mostly die young (staging), because these live as long as the object
 * stays current: separate allocation sites let the engine treat the two kinds differently.
 *
 * @internal
 */
export function committedCopy<T extends { readonly meta: Meta }>(obj: T, version: number): T {
  const meta = obj.meta;
  const copy = { ...obj, meta: Object.freeze({ version, createdAt: meta.createdAt, updatedAt: meta.updatedAt }) };
  for (const key of Object.keys(copy)) deepFreeze((copy as Record<string, unknown>)[key]);
  return Object.freeze(copy);
}
