import type { ObjectKind } from '../errors/index.js';
import { KIND_SPECS, normalizeName, type IndexSpec, type KindSpec } from './kinds.js';
import { selectorMatches, type CompiledSelector } from './selectors.js';
import { SortedKeys } from './sorted-keys.js';
import type { AnyStoredObject, ObjectOf } from './types.js';

const SEP = '\u0000';

/**
 * The ids filed under one index key: a bare id while there is only one (most keys of the slot
 * and name indexes, which saves a Set per object), a Set once there are more. A Set that shrinks
 * back to one member stays a Set, so a key hovering at one or two members does not allocate on
 * every change.
 */
type Bucket = string | Set<string>;

function bucketSize(bucket: Bucket | undefined): number {
  return bucket === undefined ? 0 : typeof bucket === 'string' ? 1 : bucket.size;
}

function forEachId(bucket: Bucket | undefined, fn: (id: string) => void): void {
  if (bucket === undefined) return;
  if (typeof bucket === 'string') fn(bucket);
  else for (const id of bucket) fn(id);
}

/**
 * The committed objects of one kind with their indexes. Changed in place, one object at a time:
 * the cost of a change depends on the object, never on the size of the table.
 *
 * @internal
 */
export class Table<K extends ObjectKind = ObjectKind> {
  readonly spec: KindSpec;
  /** id -> object, in first-insertion order. */
  private readonly objects = new Map<string, ObjectOf<K>>();
  /** index field -> key -> ids. */
  private readonly buckets = new Map<string, Map<string, Bucket>>();
  private readonly ids = new SortedKeys();
  /** `normalised name \0 id`, for name-prefix lookups. */
  private readonly names: SortedKeys | undefined;

  constructor(readonly kind: K) {
    this.spec = KIND_SPECS[kind];
    for (const index of this.spec.indexes) this.buckets.set(index.field, new Map());
    this.names = this.spec.name === undefined ? undefined : new SortedKeys();
  }

  get size(): number {
    return this.objects.size;
  }

  get(id: string): ObjectOf<K> | undefined {
    return this.objects.get(id);
  }

  /**
   * Every object, in the order the ids were first inserted: the same on every replica that
   * applied the same transactions, whether or not it started from a snapshot.
   */
  values(): IterableIterator<ObjectOf<K>> {
    return this.objects.values();
  }

  /**
   * Inserts `obj`, or replaces `old` (the object stored under its id, which the caller has
   * already looked up), keeping every index in step.
   */
  put(obj: ObjectOf<K>, old: ObjectOf<K> | undefined = this.objects.get(obj.id)): void {
    this.objects.set(obj.id, obj);
    if (old === undefined) this.ids.add(obj.id);
    for (const index of this.spec.indexes) this.reindex(index, obj.id, old, obj);
    if (this.names !== undefined) {
      const before = this.nameKey(old);
      const after = this.nameKey(obj);
      if (before !== after) {
        if (before !== undefined) this.names.delete(before);
        if (after !== undefined) this.names.add(after);
      }
    }
  }

  /** Removes the object with `id`, if any; returns it. */
  remove(id: string): ObjectOf<K> | undefined {
    const old = this.objects.get(id);
    if (old === undefined) return undefined;
    this.objects.delete(id);
    this.ids.delete(id);
    for (const index of this.spec.indexes) this.reindex(index, id, old, undefined);
    const nameKey = this.nameKey(old);
    if (nameKey !== undefined) this.names?.delete(nameKey);
    return old;
  }

  /** How many objects are filed under `key` in the index `field`. */
  count(field: string, key: string): number {
    return bucketSize(this.buckets.get(field)?.get(key));
  }

  /** The ids of the objects filed under `key` in the index `field`. */
  idsUnder(field: string, key: string): string[] {
    const out: string[] = [];
    forEachId(this.buckets.get(field)?.get(key), (id) => void out.push(id));
    return out;
  }

  /**
   * The committed objects matching `sel`, found through the narrowest index the selector allows:
   * an id, the smallest exact-key bucket, an id prefix range, a name prefix range; only an
   * empty selector walks the whole table.
   */
  select(sel: CompiledSelector): ObjectOf<K>[] {
    const out: ObjectOf<K>[] = [];
    const take = (id: string): void => {
      const obj = this.objects.get(id);
      if (obj !== undefined && selectorMatches(this.spec, sel, obj)) out.push(obj);
    };
    if (sel.id !== undefined) {
      take(sel.id);
      return out;
    }
    if (sel.probes.length > 0) {
      let best: Bucket | undefined;
      for (const probe of sel.probes) {
        const ids = this.buckets.get(probe.index.field)?.get(probe.key);
        if (ids === undefined) return out;
        if (best === undefined || bucketSize(ids) < bucketSize(best)) best = ids;
      }
      forEachId(best, take);
      return out;
    }
    if (sel.idPrefix !== undefined) {
      for (const id of this.ids.withPrefix(sel.idPrefix)) take(id);
      return out;
    }
    if (sel.namePrefix !== undefined && this.names !== undefined) {
      for (const key of this.names.withPrefix(sel.namePrefix)) take(key.slice(key.lastIndexOf(SEP) + 1));
      return out;
    }
    for (const obj of this.objects.values()) if (selectorMatches(this.spec, sel, obj)) out.push(obj);
    return out;
  }

  private nameKey(obj: AnyStoredObject | undefined): string | undefined {
    if (obj === undefined) return undefined;
    const name = this.spec.name?.(obj);
    return typeof name === 'string' ? normalizeName(name) + SEP + obj.id : undefined;
  }

  private reindex(index: IndexSpec, id: string, old: AnyStoredObject | undefined, obj: AnyStoredObject | undefined): void {
    if (old !== undefined && obj !== undefined && index.same(old, obj)) return;
    const map = this.buckets.get(index.field) as Map<string, Bucket>;
    if (index.key !== undefined) {
      const from = old === undefined ? undefined : index.key(old);
      const to = obj === undefined ? undefined : index.key(obj);
      if (from === to) return;
      if (from !== undefined) unfile(map, from, id);
      if (to !== undefined) file(map, to, id);
      return;
    }
    const before = old === undefined ? EMPTY : index.keys(old);
    const after = obj === undefined ? EMPTY : index.keys(obj);
    for (const key of before) if (!after.includes(key)) unfile(map, key, id);
    for (const key of after) if (!before.includes(key)) file(map, key, id);
  }
}

/** Removes `id` from the bucket of `key`. */
function unfile(map: Map<string, Bucket>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids === id) map.delete(key);
  else if (typeof ids === 'object') {
    ids.delete(id);
    if (ids.size === 0) map.delete(key);
  }
}

/** Adds `id` to the bucket of `key`. */
function file(map: Map<string, Bucket>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids === undefined) map.set(key, id);
  else if (typeof ids === 'object') ids.add(id);
  else if (ids !== id) map.set(key, new Set([ids, id]));
}

const EMPTY: readonly string[] = Object.freeze([]);
