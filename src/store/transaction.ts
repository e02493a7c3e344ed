import { Immer, type Draft } from 'immer';
import {
  AlreadyExistsError,
  InvalidStateError,
  NameConflictError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
  type ObjectKind,
} from '../errors/index.js';
import { setMetaAndFreeze, withFields, withMeta } from './freeze.js';
import { KIND_SPECS, TABLE_NAMES, normalizeName, type KindSpec } from './kinds.js';
import type { Overlay, StateSource } from './overlay.js';
import { compileSelector, type SelectorOf } from './selectors.js';
import type { NewObject, ObjectOf } from './types.js';

/** An immer draft of a stored object, as update callbacks receive it. @public */
export type ObjectDraft<K extends ObjectKind> = Draft<ObjectOf<K>>;

/** Options of `update` and `delete`. @public */
export interface WriteOptions {
  /**
   * Fail with `VersionConflictError` unless the object's `meta.version` is this (optimistic
   * concurrency for read-modify-write across transactions).
   */
  readonly expectedVersion?: number;
}

/**
 * Read access to one table inside `view` or `update`. Every object returned is deeply frozen;
 * arrays come in no particular order.
 *
 * @public
 */
export interface ReadTable<K extends ObjectKind> {
  /** The object with `id`, or undefined. */
  get(id: string): ObjectOf<K> | undefined;
  /** The object with `id`; throws `NotFoundError` when there is none. */
  getOrThrow(id: string): ObjectOf<K>;
  /**
   * The objects matching every field of `selector` (all objects when it is empty), answered from
   * indexes: finding one node's tasks costs in proportion to that node's tasks, not to all tasks.
   */
  find(selector?: SelectorOf<K>): readonly ObjectOf<K>[];
  /** Every object of the table. */
  all(): readonly ObjectOf<K>[];
}

/**
 * Read and write access to one table inside `update`. Writes are staged: they become visible to
 * later reads of the same transaction at once and to everyone else when the transaction commits.
 * Inside the transaction a written object shows its previous `meta.version` (0 for a new one);
 * the committed object carries the commit index.
 *
 * @public
 */
export interface WriteTable<K extends ObjectKind> extends ReadTable<K> {
  /**
   * Adds an object; the store sets `meta` (`createdAt` and `updatedAt` from the clock) and
   * freezes the object you pass, deeply and in place, rather than copying it. Uint8Array fields
   * cannot be frozen: do not change them afterwards. Throws `AlreadyExistsError` for a taken id,
   * `NameConflictError` for a taken name, `ValidationError` for a missing id or name.
   */
  create(object: NewObject<K>): ObjectOf<K>;
  /**
   * Changes an object through an immer draft and returns the new frozen object (the same object
   * when `change` changed nothing, in which case nothing is written). The id and `meta` cannot be
   * changed. Throws `NotFoundError`, `VersionConflictError` (see {@link WriteOptions}) or
   * `NameConflictError` (on a rename to a taken name).
   */
  update(id: string, change: (draft: ObjectDraft<K>) => void, options?: WriteOptions): ObjectOf<K>;
  /** Deletes an object and returns it as it was. Throws `NotFoundError` or `VersionConflictError`. */
  delete(id: string, options?: WriteOptions): ObjectOf<K>;
}

/** A consistent read-only view of the store, valid only during the `view` callback. @public */
export interface ReadTx {
  /** The index of the last committed transaction this view includes. */
  readonly index: number;
  readonly nodes: ReadTable<'node'>;
  readonly services: ReadTable<'service'>;
  readonly tasks: ReadTable<'task'>;
  readonly networks: ReadTable<'network'>;
  readonly secrets: ReadTable<'secret'>;
  readonly configs: ReadTable<'config'>;
  readonly clusters: ReadTable<'cluster'>;
  /** The table of `kind`, for code generic over kinds. */
  table<K extends ObjectKind>(kind: K): ReadTable<K>;
}

/** A transaction in progress, valid only during the `update` callback. @public */
export interface WriteTx extends ReadTx {
  readonly nodes: WriteTable<'node'>;
  readonly services: WriteTable<'service'>;
  readonly tasks: WriteTable<'task'>;
  readonly networks: WriteTable<'network'>;
  readonly secrets: WriteTable<'secret'>;
  readonly configs: WriteTable<'config'>;
  readonly clusters: WriteTable<'cluster'>;
  table<K extends ObjectKind>(kind: K): WriteTable<K>;
}

/**
 * Immer without its own freezing: `update` freezes the result itself (`setMetaAndFreeze`) once it
 * has set `meta`, so the object immer copied is the staged object and is frozen in one pass. Loose
 * iteration (enumerable string keys only) suffices: stored objects are plain data, which has no
 * symbol or non-enumerable properties, and it allocates less per update than `Reflect.ownKeys`.
 */
const immer = new Immer({ autoFreeze: false, useStrictIteration: false });

/** What the accessors of one transaction share. @internal */
interface TxContext {
  readonly source: StateSource;
  /** Undefined in a read-only view. */
  readonly overlay: Overlay | undefined;
  /** The clock reading taken when the transaction began; every write of it uses this time. */
  readonly now: number;
  readonly index: number;
  live: boolean;
}

function checkLive(ctx: TxContext): void {
  if (!ctx.live) throw new InvalidStateError('a store transaction was used after its callback returned');
}

class TableAccess<K extends ObjectKind> implements WriteTable<K> {
  private readonly spec: KindSpec;

  constructor(
    private readonly ctx: TxContext,
    private readonly kind: K,
  ) {
    this.spec = KIND_SPECS[kind];
  }

  get(id: string): ObjectOf<K> | undefined {
    checkLive(this.ctx);
    return this.ctx.source.get(this.kind, id);
  }

  getOrThrow(id: string): ObjectOf<K> {
    const obj = this.get(id);
    if (obj === undefined) throw new NotFoundError(this.kind, id);
    return obj;
  }

  find(selector: SelectorOf<K> = {} as SelectorOf<K>): readonly ObjectOf<K>[] {
    checkLive(this.ctx);
    return Object.freeze(this.ctx.source.select(this.kind, compileSelector(this.spec, selector)));
  }

  all(): readonly ObjectOf<K>[] {
    return this.find();
  }

  create(object: NewObject<K>): ObjectOf<K> {
    const overlay = this.writable();
    const id = (object as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id === '') throw new ValidationError([{ path: 'id', message: 'must be a non-empty string' }]);
    if (this.ctx.source.get(this.kind, id) !== undefined) throw new AlreadyExistsError(this.kind, id);
    const now = this.ctx.now;
    this.checkName(object as unknown as ObjectOf<K>, undefined);
    const created = withMeta(object as unknown as ObjectOf<K>, { version: 0, createdAt: now, updatedAt: now });
    overlay.set(this.kind, id, created);
    return created;
  }

  update(id: string, change: (draft: ObjectDraft<K>) => void, options?: WriteOptions): ObjectOf<K> {
    const overlay = this.writable();
    const current = this.getOrThrow(id);
    this.checkVersion(current, options);
    const next = immer.produce(current, (draft) => {
      change(draft as ObjectDraft<K>);
    });
    if (next === current) return current;
    if (next.id !== id) throw new ValidationError([{ path: 'id', message: 'cannot be changed' }]);
    const updated = setMetaAndFreeze(next, { version: current.meta.version, createdAt: current.meta.createdAt, updatedAt: this.ctx.now });
    this.checkName(updated, current);
    overlay.set(this.kind, id, updated);
    return updated;
  }

  /**
   * What `update(id, (d) => Object.assign(d, fields))` does, without a draft: replaces top-level
   * fields. Unchanged (the same object returned, nothing written) when every field already holds
   * the very value given.
   */
  assign(id: string, fields: Partial<ObjectOf<K>>, options: WriteOptions | undefined): ObjectOf<K> {
    const overlay = this.writable();
    const current = this.getOrThrow(id);
    this.checkVersion(current, options);
    let same = true;
    for (const key in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
      if (key === 'id' || key === 'meta') throw new ValidationError([{ path: key, message: 'cannot be changed' }]);
      if (!Object.prototype.hasOwnProperty.call(current, key) || (fields as Record<string, unknown>)[key] !== (current as unknown as Record<string, unknown>)[key]) same = false;
    }
    if (same) return current;
    const updated = withFields(this.kind, current, fields, { version: current.meta.version, createdAt: current.meta.createdAt, updatedAt: this.ctx.now });
    this.checkName(updated, current);
    overlay.set(this.kind, id, updated);
    return updated;
  }

  delete(id: string, options?: WriteOptions): ObjectOf<K> {
    const overlay = this.writable();
    const current = this.getOrThrow(id);
    this.checkVersion(current, options);
    overlay.set(this.kind, id, undefined);
    return current;
  }

  private writable(): Overlay {
    checkLive(this.ctx);
    if (this.ctx.overlay === undefined) throw new InvalidStateError('writes need store.update(); store.view() is read-only');
    return this.ctx.overlay;
  }

  private checkVersion(current: ObjectOf<K>, options: WriteOptions | undefined): void {
    const expected = options?.expectedVersion;
    if (expected !== undefined && expected !== current.meta.version) {
      throw new VersionConflictError(this.kind, current.id, expected, current.meta.version);
    }
  }

  /** Enforces unique names: `obj` may not take a name another object of the view has. */
  private checkName(obj: ObjectOf<K>, previous: ObjectOf<K> | undefined): void {
    if (!this.spec.uniqueNames) return;
    const name = this.spec.name?.(obj);
    if (typeof name !== 'string' || name === '') throw new ValidationError([{ path: 'spec.name', message: 'must be a non-empty string' }]);
    if (previous !== undefined) {
      const before = this.spec.name?.(previous);
      if (typeof before === 'string' && normalizeName(before) === normalizeName(name)) return;
    }
    const holders = this.ctx.source.select(this.kind, compileSelector(this.spec, { name }));
    if (holders.some((other) => other.id !== obj.id)) throw new NameConflictError(this.kind, name);
  }
}

/**
 * Replaces top-level fields of the object `id` of `table`, as
 * `table.update(id, (d) => Object.assign(d, fields), options)` does, but without an immer draft:
 * for the control loops' frequent status writes, where the draft costs more than the write.
 *
 * @internal
 */
export function assignFields<K extends ObjectKind>(table: WriteTable<K>, id: string, fields: Partial<ObjectOf<K>>, options?: WriteOptions): ObjectOf<K> {
  if (table instanceof TableAccess) return (table as TableAccess<K>).assign(id, fields, options);
  return table.update(id, (draft) => void Object.assign(draft, fields), options);
}

class TxImpl implements WriteTx {
  /** The accessors made so far, by kind (a plain object: most transactions touch one table). */
  private readonly tables: Partial<Record<ObjectKind, TableAccess<ObjectKind>>> = {};

  constructor(readonly ctx: TxContext) {}

  get index(): number {
    return this.ctx.index;
  }
  get nodes(): WriteTable<'node'> {
    return this.table('node');
  }
  get services(): WriteTable<'service'> {
    return this.table('service');
  }
  get tasks(): WriteTable<'task'> {
    return this.table('task');
  }
  get networks(): WriteTable<'network'> {
    return this.table('network');
  }
  get secrets(): WriteTable<'secret'> {
    return this.table('secret');
  }
  get configs(): WriteTable<'config'> {
    return this.table('config');
  }
  get clusters(): WriteTable<'cluster'> {
    return this.table('cluster');
  }

  table<K extends ObjectKind>(kind: K): WriteTable<K> {
    if (!Object.prototype.hasOwnProperty.call(TABLE_NAMES, kind)) throw new ValidationError([{ path: 'kind', message: `unknown kind ${JSON.stringify(kind)}` }]);
    let access = this.tables[kind];
    if (access === undefined) this.tables[kind] = access = new TableAccess(this.ctx, kind);
    return access as unknown as WriteTable<K>;
  }
}

/**
 * Runs `fn` against a transaction over `source` (writing into `overlay` when given), then ends the
 * transaction so that a leaked reference cannot be used later. `fn` must be synchronous.
 *
 * @internal
 */
export function runTransaction<T>(
  source: StateSource,
  overlay: Overlay | undefined,
  now: number,
  index: number,
  fn: (tx: WriteTx) => T,
): T {
  const ctx: TxContext = { source, overlay, now, index, live: true };
  try {
    const result = fn(new TxImpl(ctx));
    if (isThenable(result)) throw new InvalidStateError('store transaction callbacks must be synchronous (got a promise)');
    return result;
  } finally {
    ctx.live = false;
  }
}

function isThenable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
