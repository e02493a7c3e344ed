import type { Observable } from 'rxjs';
import {
  AlreadyExistsError,
  ClosedError,
  CorruptionError,
  InvalidStateError,
  NameConflictError,
  NotFoundError,
  TransactionTooLargeError,
  ValidationError,
  VersionConflictError,
  type ObjectKind,
} from '../errors/index.js';
import type { Clock } from '../runtime/index.js';
import { DEFAULT_BATCH_SIZE, runBatch, type Batch, type BatchOptions, type BatchResult } from './batch.js';
import { committedCopy, deepFreeze } from './freeze.js';
import { KIND_SPECS, OBJECT_KINDS, TABLE_NAMES, isObjectKind, normalizeName } from './kinds.js';
import { Overlay, type StateSource } from './overlay.js';
import { LocalProposer } from './proposer.js';
import type { CompiledSelector } from './selectors.js';
import { checkObject, encodeTransaction, type StoreSnapshot } from './serialization.js';
import { Table } from './table.js';
import { runTransaction, type ReadTx, type WriteTx } from './transaction.js';
import type { AnyStoredObject, ObjectEvent, ObjectOf, ProposalTarget, Proposer, StoreAction, StoreEvent, Transaction } from './types.js';
import { DEFAULT_WATCH_BUFFER_SIZE, WatchHub, type ViewAndWatch, type WatchOptions } from './watch.js';

/**
 * How many objects one transaction may change unless the store is told otherwise.
 *
 * @public
 */
export const DEFAULT_MAX_TRANSACTION_ACTIONS = 10_000;

/** Options of {@link Store}. @public */
export interface StoreOptions {
  /** Source of `meta.createdAt` and `meta.updatedAt`. */
  readonly clock: Clock;
  /** Where transactions go to be committed (default: a {@link LocalProposer}). */
  readonly proposer?: Proposer;
  /**
   * Most objects one transaction may change (default {@link DEFAULT_MAX_TRANSACTION_ACTIONS});
   * more throws `TransactionTooLargeError`.
   */
  readonly maxTransactionActions?: number;
  /**
   * Most bytes an encoded transaction may have. Unchecked by default, since checking means
   * encoding every transaction; a store behind raft should set it to its entry size limit.
   */
  readonly maxTransactionBytes?: number;
  /**
   * Changes per transaction in `batch` (default {@link DEFAULT_BATCH_SIZE}, as SwarmKit, or
   * `maxTransactionActions` if that is smaller).
   */
  readonly batchSize?: number;
  /** Each watcher's buffer bound (default {@link DEFAULT_WATCH_BUFFER_SIZE}). */
  readonly watchBufferSize?: number;
}

type Tables = { readonly [K in ObjectKind]: Table<K> };

function newTables(): Tables {
  return {
    node: new Table('node'),
    service: new Table('service'),
    task: new Table('task'),
    network: new Table('network'),
    secret: new Table('secret'),
    config: new Table('config'),
    cluster: new Table('cluster'),
  };
}

function positiveInt(value: number | undefined, fallback: number, path: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new ValidationError([{ path, message: 'must be a positive integer' }]);
  return v;
}

/**
 * Tables of immutable cluster objects with indexes, atomic transactions, optimistic concurrency
 * and a change feed (SwarmKit's memory store).
 *
 * - `view(fn)` and `update(fn)` run `fn` synchronously against a consistent state. An update
 *   stages its writes in an overlay; if `fn` throws nothing changes. Otherwise the net changes
 *   become a {@link Transaction} handed to the {@link Proposer}, which applies it on commit.
 * - Every object carries `meta.version`: the index of the transaction that last changed it.
 * - `watch` delivers committed changes in commit order through a bounded per-watcher queue
 *   drained on a microtask: a watcher that falls `watchBufferSize` events behind is ended with
 *   `WatchOverflowError` (re-read and watch again, e.g. with `viewAndWatch`); writers never wait.
 *
 * @example
 * ```ts
 * const store = new Store({ clock: new VirtualClock() });
 * await store.update((tx) => tx.networks.create({ id: random.id(), spec: { name: 'appnet' } }));
 * const mine = store.view((tx) => tx.tasks.find({ nodeId }));
 * store.watch({ kind: 'task', selector: { nodeId } }).subscribe((ev) => { ... });
 * ```
 * @public
 */
export class Store implements ProposalTarget {
  private tables: Tables = newTables();
  private lastIndex = 0;
  private busy = false;
  private closed = false;
  private readonly clock: Clock;
  private readonly proposer: Proposer;
  private readonly maxActions: number;
  private readonly maxBytes: number | undefined;
  private readonly batchSize: number;
  private readonly hub: WatchHub;
  private readonly committed: StateSource = {
    get: <K extends ObjectKind>(kind: K, id: string) => (this.tables[kind] as Table<K>).get(id),
    select: <K extends ObjectKind>(kind: K, sel: CompiledSelector) => (this.tables[kind] as Table<K>).select(sel),
  };

  constructor(options: StoreOptions) {
    this.clock = options.clock;
    this.proposer = options.proposer ?? new LocalProposer();
    this.maxActions = positiveInt(options.maxTransactionActions, DEFAULT_MAX_TRANSACTION_ACTIONS, 'maxTransactionActions');
    this.maxBytes = options.maxTransactionBytes === undefined ? undefined : positiveInt(options.maxTransactionBytes, 0, 'maxTransactionBytes');
    this.batchSize = positiveInt(options.batchSize, Math.min(DEFAULT_BATCH_SIZE, this.maxActions), 'batchSize');
    if (this.batchSize > this.maxActions) throw new ValidationError([{ path: 'batchSize', message: 'must not exceed maxTransactionActions' }]);
    this.hub = new WatchHub(positiveInt(options.watchBufferSize, DEFAULT_WATCH_BUFFER_SIZE, 'watchBufferSize'));
  }

  /** The index of the last transaction applied (0 for an empty store). */
  get index(): number {
    return this.lastIndex;
  }

  /** Runs `fn` against the committed state, synchronously, and returns what it returns. */
  view<T>(fn: (tx: ReadTx) => T): T {
    return runTransaction(this.committed, undefined, this.clock.now(), this.lastIndex, fn);
  }

  /**
   * Runs `fn` synchronously in a new transaction, then proposes the transaction's net changes
   * and resolves with `fn`'s result once they are committed and applied (at once when nothing
   * changed). If `fn` throws, or the proposal fails, nothing changes and the promise rejects.
   * With the default {@link LocalProposer} the changes are visible as soon as `update` returns.
   * Throws `TransactionTooLargeError` past `maxTransactionActions` changes: use {@link Store.batch}.
   */
  update<T>(fn: (tx: WriteTx) => T): Promise<T> {
    // Not an async function: chaining onto the commit allocates less than an `await` does, and
    // at a million objects every byte a write allocates costs time in the next collection.
    let result: T;
    let tx: Transaction;
    try {
      const overlay = this.openOverlay();
      result = this.stage(overlay, fn);
      tx = overlay.transaction();
    } catch (err) {
      return Promise.reject(err);
    }
    if (tx.actions.length === 0) return Promise.resolve(result);
    return this.commit(tx).then(() => result);
  }

  /**
   * Splits a large write into transactions of at most `batchSize` changes (default 200), as
   * SwarmKit's `Batch` does. Not atomic as a whole: when a step fails, transactions already
   * committed stay committed and the open one is dropped. Not isolated either: other updates may
   * commit between the batch's transactions, and each commit is checked like any other (a
   * conflicting one fails the batch).
   *
   * @example
   * ```ts
   * await store.batch((b) => {
   *   for (const t of tasks) void b.update((tx) => tx.tasks.create(t));
   * });
   * ```
   */
  batch(fn: (batch: Batch) => void | Promise<void>, options: BatchOptions = {}): Promise<BatchResult> {
    const size = positiveInt(options.batchSize, this.batchSize, 'batchSize');
    if (size > this.maxActions) return Promise.reject(new ValidationError([{ path: 'batchSize', message: 'must not exceed maxTransactionActions' }]));
    return runBatch(
      {
        index: this.lastIndex,
        openOverlay: (parent) => this.openOverlay(parent),
        stage: (overlay, step) => this.stage(overlay, step),
        commit: (tx) => this.commit(tx),
      },
      fn,
      size,
    );
  }

  /**
   * The committed changes, as they are applied, in commit order: each transaction's object events
   * (`create`, `update`, `delete`, with the object before and after), then a `commit` marker with
   * its index. Each subscription is a watcher of its own, starting when it subscribes; see
   * {@link WatchOptions} for filters.
   *
   * Delivery never runs inside a write: a commit only appends to each watcher's bounded queue,
   * which is drained on a microtask (deterministically: no timers). A watcher that has more than
   * `bufferSize` events (default {@link DEFAULT_WATCH_BUFFER_SIZE}, 10,000, or the store's
   * `watchBufferSize`) undelivered, for instance because writers committed a large burst without
   * yielding, is ended with `WatchOverflowError` and its queued events are dropped, so a slow or
   * absent consumer costs writers neither time nor unbounded memory. Like a Kubernetes informer
   * after "resource version too old", it must then re-read and watch again, which
   * {@link Store.viewAndWatch} does in one step.
   */
  watch<K extends ObjectKind = ObjectKind>(options: WatchOptions<K> = {}): Observable<StoreEvent<K>> {
    return this.hub.watch(options);
  }

  /**
   * Runs `fn` against the committed state and starts a watch at the same instant, so the events
   * continue exactly where the view ends: nothing missed, nothing seen twice (every event's index
   * is above the view's `tx.index`). The watcher is registered before `fn` runs and buffers until
   * `events` is subscribed (once), within the same bound as {@link Store.watch}.
   */
  viewAndWatch<T, K extends ObjectKind = ObjectKind>(fn: (tx: ReadTx) => T, options: WatchOptions<K> = {}): ViewAndWatch<T, K> {
    return this.hub.viewAndWatch(options, () => this.view(fn));
  }

  /**
   * Applies a committed transaction at `index`, which must exceed {@link Store.index}: checks
   * every action first (ids, expected versions, unique names on the final state) and then applies
   * all of them, or throws and changes nothing. Every object written gets `meta.version = index`.
   * Deterministic: replicas applying the same transactions hold the same objects.
   */
  applyTransaction(tx: Transaction, index: number): void {
    if (this.closed) throw new ClosedError('store');
    if (this.busy) throw new InvalidStateError('applyTransaction called from inside a store transaction');
    if (!Number.isSafeInteger(index) || index <= this.lastIndex) {
      throw new InvalidStateError(`transaction index ${index} must be greater than the store index ${this.lastIndex}`);
    }
    this.check(tx.actions);
    const events: ObjectEvent[] | undefined = this.hub.active ? [] : undefined;
    for (const action of tx.actions) {
      const table = this.tables[action.kind] as Table;
      if (action.op === 'delete') {
        const old = table.remove(action.id) as AnyStoredObject;
        events?.push(Object.freeze({ type: 'delete', kind: action.kind, index, object: old, old }) as ObjectEvent);
        continue;
      }
      const old = table.get(action.object.id);
      const obj = committedCopy(action.kind, action.object, index);
      table.put(obj, old);
      events?.push(Object.freeze({ type: action.op, kind: action.kind, index, object: obj, old }) as ObjectEvent);
    }
    this.lastIndex = index;
    if (events !== undefined) this.hub.publish(events, index);
  }

  /** The whole state as plain data (the objects themselves, frozen), with the index. */
  snapshot(): StoreSnapshot {
    const t = this.tables;
    const all = <K extends ObjectKind>(kind: K): readonly ObjectOf<K>[] => Object.freeze([...(t[kind] as Table<K>).values()]);
    return Object.freeze({
      index: this.lastIndex,
      nodes: all('node'),
      services: all('service'),
      tasks: all('task'),
      networks: all('network'),
      secrets: all('secret'),
      configs: all('config'),
      clusters: all('cluster'),
    });
  }

  /**
   * Replaces the whole state with `snapshot` and rebuilds every index; throws `CorruptionError`
   * (changing nothing) on duplicate ids, duplicate names or malformed objects. Watchers receive
   * the difference as ordinary events, then a commit marker at the snapshot's index.
   */
  restore(snapshot: StoreSnapshot): void {
    if (this.closed) throw new ClosedError('store');
    if (this.busy) throw new InvalidStateError('restore called from inside a store transaction');
    if (!Number.isSafeInteger(snapshot.index) || snapshot.index < 0) throw new CorruptionError('snapshot index is not a non-negative integer');
    const fresh = newTables();
    for (const kind of OBJECT_KINDS) {
      const table = fresh[kind] as Table;
      for (const value of snapshot[TABLE_NAMES[kind]] as readonly unknown[]) {
        const obj = deepFreeze(checkObject(value, `snapshot ${kind}`));
        if (table.get(obj.id) !== undefined) throw new CorruptionError(`snapshot holds ${kind} ${obj.id} twice`);
        table.put(obj);
        const name = KIND_SPECS[kind].uniqueNames ? KIND_SPECS[kind].name?.(obj) : undefined;
        if (typeof name === 'string' && table.count('name', normalizeName(name)) > 1) {
          throw new CorruptionError(`snapshot holds two ${kind}s named ${JSON.stringify(name)}`);
        }
      }
    }
    const events = this.hub.active ? diff(this.tables, fresh, snapshot.index) : undefined;
    this.tables = fresh;
    this.lastIndex = snapshot.index;
    if (events !== undefined) this.hub.publish(events, snapshot.index);
  }

  /** Ends every watch (after it has received what was already committed) and refuses further writes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
  }

  private openOverlay(parent?: Overlay): Overlay {
    return new Overlay(parent ?? this.committed, this.maxActions);
  }

  /** Runs `fn` against `overlay`; if it throws, the overlay is to be dropped. */
  private stage<T>(overlay: Overlay, fn: (tx: WriteTx) => T): T {
    if (this.closed) throw new ClosedError('store');
    if (this.busy) throw new InvalidStateError('store.update called from inside a store transaction');
    this.busy = true;
    try {
      return runTransaction(overlay, overlay, this.clock.now(), this.lastIndex, fn);
    } finally {
      this.busy = false;
    }
  }

  private commit(tx: Transaction): Promise<number> {
    if (this.maxBytes !== undefined) {
      const size = encodeTransaction(tx).length;
      if (size > this.maxBytes) {
        return Promise.reject(new TransactionTooLargeError(`transaction of ${size} bytes exceeds ${this.maxBytes}; split large writes with store.batch()`));
      }
    }
    try {
      return this.proposer.propose(tx, this);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Every check `applyTransaction` makes before it changes anything. */
  private check(actions: readonly StoreAction[]): void {
    // `kind \0 id` of every object changed; a transaction of one action cannot repeat an object,
    // so the common single-object update skips the set (and the key strings).
    const touched = actions.length > 1 ? new Set<string>() : undefined;
    for (const action of actions) {
      if (!isObjectKind(action.kind)) throw new ValidationError([{ path: 'kind', message: `unknown kind ${JSON.stringify(action.kind)}` }]);
      const id = action.op === 'delete' ? action.id : checkObject(action.object, 'transaction').id;
      if (touched !== undefined) {
        const key = action.kind + '\u0000' + id;
        if (touched.has(key)) throw new InvalidStateError(`transaction changes ${action.kind} ${id} twice`);
        touched.add(key);
      }
      const current = this.tables[action.kind].get(id);
      if (action.op === 'create') {
        if (current !== undefined) throw new AlreadyExistsError(action.kind, id);
        continue;
      }
      if (current === undefined) throw new NotFoundError(action.kind, id);
      if (current.meta.version !== action.expectedVersion) throw new VersionConflictError(action.kind, id, action.expectedVersion, current.meta.version);
    }
    this.checkNames(actions, touched);
  }

  /** Unique names hold in the state after the whole transaction (so swaps via a third name work). */
  private checkNames(actions: readonly StoreAction[], touched: ReadonlySet<string> | undefined): void {
    let final: Map<string, string> | undefined;
    for (const action of actions) {
      const spec = KIND_SPECS[action.kind];
      if (action.op === 'delete' || !spec.uniqueNames) continue;
      final ??= new Map();
      const name = spec.name?.(action.object);
      if (typeof name !== 'string' || name === '') throw new ValidationError([{ path: 'spec.name', message: 'must be a non-empty string' }]);
      const key = action.kind + '\u0000' + normalizeName(name);
      if (final.has(key)) throw new NameConflictError(action.kind, name);
      final.set(key, action.object.id);
      for (const holder of this.tables[action.kind].idsUnder('name', normalizeName(name))) {
        if (holder !== action.object.id && touched?.has(action.kind + '\u0000' + holder) !== true) throw new NameConflictError(action.kind, name);
      }
    }
  }
}

/** The events that turn the state `before` into `after`. */
function diff(before: Tables, after: Tables, index: number): ObjectEvent[] {
  const events: ObjectEvent[] = [];
  const push = (e: object): void => void events.push(Object.freeze(e) as ObjectEvent);
  for (const kind of OBJECT_KINDS) {
    const was = before[kind] as Table;
    const now = after[kind] as Table;
    for (const old of was.values()) {
      const obj = now.get(old.id);
      if (obj === undefined) push({ type: 'delete', kind, index, object: old, old });
      else if (obj.meta.version !== old.meta.version) push({ type: 'update', kind, index, object: obj, old });
    }
    for (const obj of now.values()) if (was.get(obj.id) === undefined) push({ type: 'create', kind, index, object: obj, old: undefined });
  }
  return events;
}
