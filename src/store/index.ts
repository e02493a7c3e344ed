/*
 * The store: tables of immutable cluster objects with indexes, atomic transactions staged over
 * the committed state, a Proposer seam for consensus, ordered change feeds with bounded queues,
 * snapshots and a byte encoding for the raft log. See `Store` for the overview.
 */
export { Store, DEFAULT_MAX_TRANSACTION_ACTIONS } from './store.js';
export type { StoreOptions } from './store.js';
export { LocalProposer } from './proposer.js';
export { DEFAULT_BATCH_SIZE } from './batch.js';
export type { Batch, BatchOptions, BatchResult } from './batch.js';
export { DEFAULT_WATCH_BUFFER_SIZE } from './watch.js';
export type { WatchOptions, ViewAndWatch } from './watch.js';
export { encodeTransaction, decodeTransaction, encodeSnapshot, decodeSnapshot } from './serialization.js';
export type { StoreSnapshot } from './serialization.js';
export { OBJECT_KINDS } from './kinds.js';
export type { TableNames, TableName } from './kinds.js';
export type { ReadTx, WriteTx, ReadTable, WriteTable, WriteOptions, ObjectDraft } from './transaction.js';
export { assignFields } from './transaction.js';
export type {
  IdSelector,
  NameSelector,
  LabelSelector,
  NodeSelector,
  TaskSelector,
  NamedObjectSelector,
  KindSelectors,
  SelectorOf,
} from './selectors.js';
export type {
  KindObjects,
  ObjectOf,
  AnyStoredObject,
  NewObject,
  CreateAction,
  UpdateAction,
  DeleteAction,
  StoreAction,
  Transaction,
  CreateEvent,
  UpdateEvent,
  DeleteEvent,
  ObjectEvent,
  CommitEvent,
  StoreEvent,
  ProposalTarget,
  Proposer,
} from './types.js';
