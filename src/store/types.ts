import type { ObjectKind } from '../errors/index.js';
import type { ClusterObject, Config, Network, Node, Secret, Service, Task } from '../api/index.js';

/**
 * The object type stored for each {@link ObjectKind}.
 *
 * @public
 */
export interface KindObjects {
  node: Node;
  service: Service;
  task: Task;
  network: Network;
  secret: Secret;
  config: Config;
  cluster: ClusterObject;
}

/** The stored object type of kind `K`. @public */
export type ObjectOf<K extends ObjectKind> = KindObjects[K];

/** Any stored object. @public */
export type AnyStoredObject = KindObjects[ObjectKind];

/**
 * What `create` accepts: a whole object without its `meta`, which the store fills in
 * (`createdAt` and `updatedAt` from the clock; `version` once committed). A `meta` passed in is
 * ignored.
 *
 * @public
 */
export type NewObject<K extends ObjectKind> = Omit<ObjectOf<K>, 'meta'> & { readonly meta?: unknown };

/**
 * Creates one object. `object` is complete, with its `meta` as proposed (`createdAt` and
 * `updatedAt` set at proposal time; `meta.version` is replaced by the commit index on apply).
 *
 * @public
 */
export interface CreateAction<K extends ObjectKind = ObjectKind> {
  readonly op: 'create';
  readonly kind: K;
  readonly object: ObjectOf<K>;
}

/**
 * Replaces one object with `object`, provided its stored version is still `expectedVersion` (the
 * version the proposer read).
 *
 * @public
 */
export interface UpdateAction<K extends ObjectKind = ObjectKind> {
  readonly op: 'update';
  readonly kind: K;
  readonly object: ObjectOf<K>;
  readonly expectedVersion: number;
}

/** Deletes one object, provided its stored version is still `expectedVersion`. @public */
export interface DeleteAction<K extends ObjectKind = ObjectKind> {
  readonly op: 'delete';
  readonly kind: K;
  readonly id: string;
  readonly expectedVersion: number;
}

/** One change of one object within a {@link Transaction}. @public */
export type StoreAction<K extends ObjectKind = ObjectKind> = K extends ObjectKind
  ? CreateAction<K> | UpdateAction<K> | DeleteAction<K>
  : never;

/**
 * What `store.update` proposes and replicas apply: the net change of one update, at most one
 * action per object, in the order the objects were first touched. Plain data; see
 * `encodeTransaction` for its byte form.
 *
 * @public
 */
export interface Transaction {
  readonly actions: readonly StoreAction[];
}

/**
 * An object was created. `old` is always undefined.
 *
 * @public
 */
export interface CreateEvent<K extends ObjectKind = ObjectKind> {
  readonly type: 'create';
  readonly kind: K;
  /** The commit index of the transaction. */
  readonly index: number;
  /** The object as created. */
  readonly object: ObjectOf<K>;
  readonly old: undefined;
}

/** An object was replaced. @public */
export interface UpdateEvent<K extends ObjectKind = ObjectKind> {
  readonly type: 'update';
  readonly kind: K;
  /** The commit index of the transaction. */
  readonly index: number;
  /** The object after the change. */
  readonly object: ObjectOf<K>;
  /** The object before the change. */
  readonly old: ObjectOf<K>;
}

/** An object was deleted. `object` and `old` are both the object as it was last stored. @public */
export interface DeleteEvent<K extends ObjectKind = ObjectKind> {
  readonly type: 'delete';
  readonly kind: K;
  /** The commit index of the transaction. */
  readonly index: number;
  /** The deleted object (as it was last stored). */
  readonly object: ObjectOf<K>;
  /** The same as `object`. */
  readonly old: ObjectOf<K>;
}

/** A change to one object of kind `K`. @public */
export type ObjectEvent<K extends ObjectKind = ObjectKind> = K extends ObjectKind
  ? CreateEvent<K> | UpdateEvent<K> | DeleteEvent<K>
  : never;

/**
 * Marks the end of one committed transaction: every object event of that transaction delivered to
 * the subscriber came before it.
 *
 * @public
 */
export interface CommitEvent {
  readonly type: 'commit';
  /** The commit index; the store's `index` once the transaction was applied. */
  readonly index: number;
}

/** Everything `watch` emits. @public */
export type StoreEvent<K extends ObjectKind = ObjectKind> = ObjectEvent<K> | CommitEvent;

/**
 * What a {@link Proposer} applies a committed transaction to: the store that proposed it.
 *
 * @public
 */
export interface ProposalTarget {
  /** The index of the last transaction applied. */
  readonly index: number;
  /**
   * Applies a committed transaction at `index` (greater than {@link ProposalTarget.index}), all or
   * nothing. Throws the conflict (`VersionConflictError`, `NameConflictError`, `NotFoundError`,
   * `AlreadyExistsError`) when the transaction no longer fits the state, leaving the store unchanged.
   */
  applyTransaction(tx: Transaction, index: number): void;
}

/**
 * The seam between the store and consensus (SwarmKit's `Proposer`). `store.update` stages a
 * transaction against its current state, then hands it to the proposer, which must get it
 * committed and applied to `target` (and to every replica) at one index, and resolve with that
 * index; or reject, leaving the target unchanged.
 *
 * The default {@link LocalProposer} applies synchronously inside `propose`, at `target.index + 1`,
 * so the change is visible as soon as `update` returns. A raft proposer appends the encoded
 * transaction to its log and applies it on commit, at the raft index, on every manager.
 *
 * @public
 */
export interface Proposer {
  /** Commits `tx`; resolves with the index it was applied at. */
  propose(tx: Transaction, target: ProposalTarget): Promise<number>;
}
