/**
 * A key-value register on top of the replicated store: key `k` is the config object `kv-k`, its
 * value the config's `value` label (a number), and an absent config reads as `null`. The
 * operations are written the way a careful user of `createReplicatedStore` would write them:
 * writes through `store.update` on the leader, linearizable reads as `driver.readBarrier()` then
 * `store.view`, compare-and-set as a read barrier then `store.update`.
 */
import { NotLeaderError, type RaftDriver } from '../../../src/raft/index.js';
import type { ReadTx, Store, WriteTx } from '../../../src/store/index.js';

/** A register value: a number written by a client, or `null` for an absent key. */
export type KvValue = number | null;

/** How reads are served: `barrier` (ReadIndex, linearizable) or `local` (the manager's store as it is). */
export type ReadMode = 'barrier' | 'local';

/**
 * How compare-and-set compares: `barrier` first confirms, through a read barrier, that the
 * manager's state is current; `direct` compares against the manager's store as it is, so a
 * mismatch returns `false` without consulting a quorum.
 */
export type CasMode = 'barrier' | 'direct';

/** What an operation needs of a manager. */
export interface KvTarget {
  readonly store: Store;
  readonly driver: RaftDriver;
}

/**
 * The operation failed before anything was proposed (its read barrier failed), so it had no
 * effect whatever the cause says.
 */
export class NotProposedError extends Error {
  constructor(override readonly cause: unknown) {
    super(`not proposed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NotProposedError';
  }
}

const EMPTY = new Uint8Array(0);

/** The config id holding key `key`. */
export function configId(key: string): string {
  return `kv-${key}`;
}

/** The value of `key` in a transaction's view. */
export function valueIn(tx: ReadTx, key: string): KvValue {
  const label = tx.configs.get(configId(key))?.spec.labels?.value;
  return label === undefined ? null : Number(label);
}

function put(tx: WriteTx, key: string, value: number): void {
  const id = configId(key);
  if (tx.configs.get(id) === undefined) tx.configs.create({ id, spec: { name: id, data: EMPTY, labels: { value: String(value) } } });
  else tx.configs.update(id, (d) => void (d.spec.labels = { value: String(value) }));
}

/** Reads `key`; with `barrier`, only after the manager has applied everything committed when the read began. */
export async function kvRead(m: KvTarget, key: string, mode: ReadMode): Promise<{ value: KvValue; index: number }> {
  const index = mode === 'barrier' ? await m.driver.readBarrier() : m.driver.appliedIndex;
  return { value: m.store.view((tx) => valueIn(tx, key)), index };
}

/** Writes `value` to `key` (creating the config when absent). Leader only. */
export async function kvWrite(m: KvTarget, key: string, value: number): Promise<void> {
  await m.store.update((tx) => put(tx, key, value));
}

/** Deletes `key` (a write of `null`); fails with NotFoundError, proposing nothing, when it is absent here. Leader only. */
export async function kvDelete(m: KvTarget, key: string): Promise<void> {
  await m.store.update((tx) => void tx.configs.delete(configId(key)));
}

/** Sets `key` to `to` if it holds `from`; resolves with whether it did. Leader only. */
export async function kvCas(m: KvTarget, key: string, from: KvValue, to: number, mode: CasMode): Promise<boolean> {
  if (!m.driver.isLeader) throw new NotLeaderError(m.driver.leader);
  if (mode === 'barrier') {
    try {
      await m.driver.readBarrier();
    } catch (err) {
      throw new NotProposedError(err);
    }
  }
  return m.store.update((tx) => {
    if (valueIn(tx, key) !== from) return false;
    put(tx, key, to);
    return true;
  });
}
