import type { Meta } from '../api/index.js';
import type { ObjectKind } from '../errors/index.js';

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
  // `for…in` rather than `Object.keys`: it walks the engine's cached key list without allocating
  // an array per object (the store's objects are plain data, whose prototypes have no enumerable
  // properties; the own-property test keeps that an assumption rather than a requirement).
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key)) deepFreeze((value as Record<string, unknown>)[key]);
  }
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
 * Gives `obj`, a fresh object nobody else holds yet (such as the copy immer makes of a changed
 * draft), the `meta` given and freezes it deeply, in place: `withMeta` without the copy.
 *
 * @internal
 */
export function setMetaAndFreeze<T extends { readonly meta: Meta }>(obj: T, meta: Meta): T {
  (obj as { meta: Meta }).meta = Object.freeze({ version: meta.version, createdAt: meta.createdAt, updatedAt: meta.updatedAt });
  return deepFreeze(obj);
}

/** Builds empty plain objects whose properties the engine keeps inside the object. */
type RecordConstructor = new () => Record<string, unknown>;

/**
 * A constructor of plain objects (their prototype is `Object.prototype`, their `constructor` is
 * `Object`: nothing tells them from literals). It exists for memory layout: V8 gives `{ ...obj }`
 * room for only four properties inside the object and puts the rest in a second, separate
 * array, while objects built by a constructor get room for as many properties as its first
 * instances had. A committed task then is one compact block of memory instead of two, which
 * matters once a table outgrows the CPU caches: every read of a cold object costs one memory
 * access fewer, and the garbage collector has one object fewer to move per update. One
 * constructor per kind, since the engine sizes the room from the first instances it builds.
 */
function recordConstructor(): RecordConstructor {
  function PlainRecord(this: Record<string, unknown>, reserve?: boolean): void {
    // Object.assign fills the instance. These assignments never run: the engine sizes a
    // constructor's objects from the `this.x =` assignments it finds in the body (plus some
    // slack, trimmed to what the first instances use), and without them a task, which has more
    // fields than the default room, keeps its last fields in a separate property array.
    if (reserve === true) {
      this.p0 = this.p1 = this.p2 = this.p3 = this.p4 = this.p5 = this.p6 = this.p7 = undefined;
      this.p8 = this.p9 = this.p10 = this.p11 = this.p12 = this.p13 = this.p14 = this.p15 = undefined;
    }
  }
  PlainRecord.prototype = Object.prototype;
  return PlainRecord as unknown as RecordConstructor;
}

const RECORDS: Readonly<Record<ObjectKind, RecordConstructor>> = {
  node: recordConstructor(),
  service: recordConstructor(),
  task: recordConstructor(),
  network: recordConstructor(),
  secret: recordConstructor(),
  config: recordConstructor(),
  cluster: recordConstructor(),
};

/**
 * A frozen copy of `obj` (a frozen stored object) with `fields` replaced and the `meta` given, laid
 * out compactly (see `recordConstructor`). Only the new field values are frozen (deeply, in
 * place): the rest of `obj` already is.
 *
 * @internal
 */
export function withFields<T extends { readonly meta: Meta }>(kind: ObjectKind, obj: T, fields: Partial<T>, meta: Meta): T {
  const copy = Object.assign(new RECORDS[kind](), obj, fields) as Record<string, unknown>;
  for (const key in fields) if (Object.prototype.hasOwnProperty.call(fields, key)) deepFreeze(copy[key]);
  copy['meta'] = Object.freeze({ version: meta.version, createdAt: meta.createdAt, updatedAt: meta.updatedAt });
  return Object.freeze(copy) as unknown as T;
}

/**
 * The committed copy of a staged object: a frozen shallow copy with the commit version in
 * `meta`, laid out compactly (see `recordConstructor`). The rest of the object is frozen in place,
 * except that a frozen `obj` is taken as frozen deeply, as the store makes its staged objects (and
 * as `deepFreeze` treats frozen subtrees): its children are not visited, since at a million
 * objects each visit can be a cache miss. Unfrozen objects come from transactions decoded from
 * bytes.
 *
 * @internal
 */
export function committedCopy<T extends { readonly meta: Meta }>(kind: ObjectKind, obj: T, version: number): T {
  if (!Object.isFrozen(obj)) for (const key of Object.keys(obj)) deepFreeze((obj as Record<string, unknown>)[key]);
  const meta = obj.meta;
  const copy = Object.assign(new RECORDS[kind](), obj) as { meta: Meta };
  copy.meta = Object.freeze({ version, createdAt: meta.createdAt, updatedAt: meta.updatedAt });
  return Object.freeze(copy) as unknown as T;
}
