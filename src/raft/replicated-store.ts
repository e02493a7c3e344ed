import { decodeSnapshot, decodeTransaction, encodeSnapshot, encodeTransaction, Store } from '../store/index.js';
import type { ProposalTarget, Proposer, StoreOptions, Transaction } from '../store/index.js';
import { RaftDriver, type RaftDriverEvents, type RaftDriverOptions, type RaftStateMachine } from './driver.js';
import { NotLeaderError } from './errors.js';

/**
 * The store as a raft state machine: committed entries are encoded store transactions, applied
 * at their raft index; snapshots are encoded store snapshots.
 *
 * @public
 */
export function storeStateMachine(store: Store): RaftStateMachine {
  return {
    apply: (data, index) => store.applyTransaction(decodeTransaction(data), index),
    snapshot: () => encodeSnapshot(store.snapshot()),
    restore: (data) => store.restore(decodeSnapshot(data)),
  };
}

/**
 * A {@link Proposer} that replicates each store transaction through raft. On the leader, the
 * transaction becomes a proposal and `store.update()` resolves once it is committed and applied
 * (at the raft index) on this manager; every manager applies committed transactions in log order.
 * On a follower it fails at once with `NotLeaderError` naming the leader. Without quorum it fails
 * with `QuorumLostError` after the driver's proposal timeout.
 *
 * Concurrency is optimistic: transactions are staged against the state applied so far and may be
 * pipelined; one that no longer fits when it commits (another write changed the same object first)
 * fails with `VersionConflictError` on every manager alike, and the caller retries.
 *
 * @public
 */
export class RaftProposer implements Proposer {
  private driver: RaftDriver | undefined;

  /** Connects the driver (it is created after the store it applies to). */
  attach(driver: RaftDriver): void {
    this.driver = driver;
  }

  propose(tx: Transaction, _target: ProposalTarget): Promise<number> {
    const driver = this.driver;
    if (driver === undefined || !driver.isLeader) return Promise.reject(new NotLeaderError(driver?.leader ?? null));
    try {
      return driver.propose(encodeTransaction(tx)).then((c) => c.index);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/** Options of {@link createReplicatedStore}. @public */
export type ReplicatedStoreOptions = Omit<RaftDriverOptions, 'stateMachine'> & {
  /** Store options other than the clock and proposer. */
  readonly store?: Omit<StoreOptions, 'clock' | 'proposer'>;
};

/** A manager's replicated store and the raft driver behind it. @public */
export interface ReplicatedStore {
  readonly store: Store;
  readonly driver: RaftDriver;
}

/**
 * Builds one manager's store replicated through raft. Call `driver.start()` to run it; write with
 * `store.update()` on the leader.
 *
 * @public
 */
export function createReplicatedStore(options: ReplicatedStoreOptions, events?: RaftDriverEvents): ReplicatedStore {
  const proposer = new RaftProposer();
  const store = new Store({ ...options.store, clock: options.clock, proposer });
  const { store: _storeOptions, ...driverOptions } = options;
  const driver = new RaftDriver({ ...driverOptions, stateMachine: storeStateMachine(store) }, events);
  proposer.attach(driver);
  return { store, driver };
}
