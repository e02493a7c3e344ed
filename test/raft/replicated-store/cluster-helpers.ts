/**
 * Small helpers for hand-built scenarios on a {@link StoreCluster}: build one, wait for a leader,
 * await a promise under virtual time, and record KV operations in a history.
 */
import { expect } from 'vitest';
import { Random } from '../../../src/runtime/index.js';
import type { HistoryRecorder } from '../../support/linearizability/index.js';
import { kvRead, kvWrite, type KvValue } from './kv-operations.js';
import { classify } from './outcomes.js';
import { StoreCluster, type Manager, type StoreClusterOptions } from './store-cluster.js';

/** A started cluster of `members` managers with long timeouts (hand-built scenarios control every fault). */
export async function startCluster(members: number, seed: number, options: Partial<StoreClusterOptions> = {}): Promise<StoreCluster> {
  const cluster = new StoreCluster({
    random: Random.fromSeed(seed),
    members,
    storage: 'memory',
    proposalTimeout: 60_000,
    snapshotInterval: 10_000,
    logEntriesForSlowFollowers: 500,
    tickInterval: 100,
    ...options,
  });
  await cluster.start();
  return cluster;
}

/** Waits (up to 10 s) for exactly one leader and returns it. */
export async function leaderOf(cluster: StoreCluster, among?: readonly Manager[]): Promise<Manager> {
  const pool = among ?? cluster.managers;
  const found = await cluster.runUntil(() => pool.filter((m) => m.isLeader).length === 1, 10_000);
  expect(found, 'a leader is elected').toBe(true);
  return pool.find((m) => m.isLeader) as Manager;
}

/** Runs the cluster until `promise` settles (at most `ms`), then returns its outcome. */
export async function settle<T>(cluster: StoreCluster, promise: Promise<T>, ms = 30_000): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => void (outcome = { ok: true, value }),
    (error: unknown) => void (outcome = { ok: false, error }),
  );
  await cluster.runUntil(() => outcome !== undefined, ms);
  if (outcome === undefined) throw new Error(`still pending after ${ms} ms of virtual time`);
  return outcome;
}

/** Waits until every up manager has applied the same index. */
export async function converge(cluster: StoreCluster, among?: readonly Manager[]): Promise<void> {
  const pool = among ?? cluster.managers.filter((m) => m.isUp);
  const same = () => pool.every((m) => m.driver?.appliedIndex === pool[0]?.driver?.appliedIndex);
  expect(await cluster.runUntil(same, 10_000), 'managers converge').toBe(true);
}

/** Writes `value` to `key` through `m`, recording the operation; returns how it ended. */
export function recordedWrite(rec: HistoryRecorder, client: string, m: Manager, key: string, value: number): Promise<'ok' | 'fail' | 'info'> {
  const op = rec.invoke(client, 'write', key, value);
  const target = { store: m.store!, driver: m.driver! };
  return kvWrite(target, key, value).then(
    () => {
      rec.ok(op);
      return 'ok' as const;
    },
    (err: unknown) => {
      const kind = classify(err).kind;
      if (kind === 'redirect' || kind === 'failed') {
        rec.fail(op, err);
        return 'fail' as const;
      }
      rec.info(op, err);
      return 'info' as const;
    },
  );
}

/** Reads `key` through `m` with a read barrier, recording the operation; resolves with the value read, or undefined. */
export function recordedRead(rec: HistoryRecorder, client: string, m: Manager, key: string): Promise<KvValue | undefined> {
  const op = rec.invoke(client, 'read', key);
  return kvRead({ store: m.store!, driver: m.driver! }, key, 'barrier').then(
    (r) => {
      rec.ok(op, r.value);
      return r.value;
    },
    (err: unknown) => {
      rec.info(op, err);
      return undefined;
    },
  );
}
