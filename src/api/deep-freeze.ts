/**
 * Freezes `value` and every object and array reachable from it, and returns it.
 *
 * Byte arrays (any `ArrayBuffer` view) are left as they are: JavaScript cannot freeze a typed array
 * that has elements. Already-frozen objects are still walked, so a frozen shell around a mutable
 * child is frozen all the way down.
 *
 * @example
 * ```ts
 * const spec = deepFreeze({ task: { container: { image: 'nginx' } } });
 * Object.isFrozen(spec.task.container); // true
 * ```
 * @public
 */
export function deepFreeze<T>(value: T): T {
  freeze(value, new Set());
  return value;
}

function freeze(value: unknown, seen: Set<object>): void {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || seen.has(value)) return;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    const desc = Object.getOwnPropertyDescriptor(value, key);
    if (desc !== undefined && 'value' in desc) freeze(desc.value, seen);
  }
  Object.freeze(value);
}
