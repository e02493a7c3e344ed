import { CorruptionError, type ObjectKind } from '../errors/index.js';
import type { ClusterObject, Config, Network, Node, Secret, Service, Task } from '../api/index.js';
import { decodeJson, decodeLines, encodeJson, encodeLines } from './codec.js';
import { OBJECT_KINDS, TABLE_NAMES, isObjectKind } from './kinds.js';
import type { AnyStoredObject, StoreAction, Transaction } from './types.js';

/**
 * The whole store as plain data, for raft snapshots: every table and the index of the last
 * transaction applied.
 *
 * @public
 */
export interface StoreSnapshot {
  readonly index: number;
  readonly nodes: readonly Node[];
  readonly services: readonly Service[];
  readonly tasks: readonly Task[];
  readonly networks: readonly Network[];
  readonly secrets: readonly Secret[];
  readonly configs: readonly Config[];
  readonly clusters: readonly ClusterObject[];
}

const TX_FORMAT = 'flotilla.store.tx/1';
const SNAPSHOT_FORMAT = 'flotilla.store.snapshot/1';

/**
 * A transaction as bytes (UTF-8 JSON; Uint8Array values are base64 under a `$bytes` tag), for a
 * raft log entry. {@link decodeTransaction} gives back an equal transaction.
 *
 * @public
 */
export function encodeTransaction(tx: Transaction): Uint8Array {
  return encodeJson({ format: TX_FORMAT, actions: tx.actions });
}

/**
 * The transaction encoded by {@link encodeTransaction}. Throws `CorruptionError` when the bytes
 * are not one.
 *
 * @public
 */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  const data = decodeJson(bytes, 'transaction') as { format?: unknown; actions?: unknown } | null;
  if (typeof data !== 'object' || data === null || data.format !== TX_FORMAT || !Array.isArray(data.actions)) {
    throw new CorruptionError(`not a ${TX_FORMAT} transaction`);
  }
  return { actions: data.actions.map((a, i) => checkAction(a, i)) };
}

/**
 * A snapshot as bytes: newline-delimited JSON, a header line then one line per object, so a
 * store of millions of objects never has to become a single string.
 *
 * @public
 */
export function encodeSnapshot(snapshot: StoreSnapshot): Uint8Array {
  function* lines(): IterableIterator<unknown> {
    yield { format: SNAPSHOT_FORMAT, index: snapshot.index };
    for (const kind of OBJECT_KINDS) {
      for (const object of snapshot[TABLE_NAMES[kind]]) yield { kind, object };
    }
  }
  return encodeLines(lines());
}

/**
 * The snapshot encoded by {@link encodeSnapshot}. Throws `CorruptionError` when the bytes are not
 * one.
 *
 * @public
 */
export function decodeSnapshot(bytes: Uint8Array): StoreSnapshot {
  const tables: Record<ObjectKind, AnyStoredObject[]> = { node: [], service: [], task: [], network: [], secret: [], config: [], cluster: [] };
  let index: number | undefined;
  for (const line of decodeLines(bytes, 'snapshot')) {
    const rec = line as { format?: unknown; index?: unknown; kind?: unknown; object?: unknown } | null;
    if (index === undefined) {
      if (rec?.format !== SNAPSHOT_FORMAT || !isIndex(rec.index)) throw new CorruptionError(`not a ${SNAPSHOT_FORMAT} snapshot`);
      index = rec.index;
      continue;
    }
    if (!isObjectKind(rec?.kind)) throw new CorruptionError('snapshot record of unknown kind');
    tables[rec.kind].push(checkObject(rec.object, 'snapshot record'));
  }
  if (index === undefined) throw new CorruptionError('empty snapshot');
  return {
    index,
    nodes: tables.node as Node[],
    services: tables.service as Service[],
    tasks: tables.task as Task[],
    networks: tables.network as Network[],
    secrets: tables.secret as Secret[],
    configs: tables.config as Config[],
    clusters: tables.cluster as ClusterObject[],
  };
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Checks the shape every stored object has: a string id and numeric meta. @internal */
export function checkObject(value: unknown, where: string): AnyStoredObject {
  const obj = value as { id?: unknown; meta?: { version?: unknown; createdAt?: unknown; updatedAt?: unknown } } | null;
  if (typeof obj !== 'object' || obj === null || typeof obj.id !== 'string' || obj.id === '') {
    throw new CorruptionError(`${where}: object without an id`);
  }
  const meta = obj.meta;
  if (typeof meta !== 'object' || meta === null || !isIndex(meta.version) || typeof meta.createdAt !== 'number' || typeof meta.updatedAt !== 'number') {
    throw new CorruptionError(`${where}: object ${obj.id} has no valid meta`);
  }
  return obj as AnyStoredObject;
}

function checkAction(value: unknown, i: number): StoreAction {
  const a = value as { op?: unknown; kind?: unknown; id?: unknown; object?: unknown; expectedVersion?: unknown } | null;
  const where = `transaction action ${i}`;
  if (typeof a !== 'object' || a === null || !isObjectKind(a.kind)) throw new CorruptionError(`${where}: unknown kind`);
  if (a.op === 'create') return { op: 'create', kind: a.kind, object: checkObject(a.object, where) } as StoreAction;
  if (!isIndex(a.expectedVersion)) throw new CorruptionError(`${where}: no expected version`);
  if (a.op === 'update') return { op: 'update', kind: a.kind, object: checkObject(a.object, where), expectedVersion: a.expectedVersion } as StoreAction;
  if (a.op === 'delete' && typeof a.id === 'string') return { op: 'delete', kind: a.kind, id: a.id, expectedVersion: a.expectedVersion } as StoreAction;
  throw new CorruptionError(`${where}: malformed`);
}
