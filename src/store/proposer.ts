import type { ProposalTarget, Proposer, Transaction } from './types.js';

/**
 * The proposer of a store that stands alone (no raft): it applies each transaction synchronously,
 * inside `propose`, at `target.index + 1`. So after `store.update(fn)` returns, before its promise
 * settles, `view` already sees the change.
 *
 * @public
 */
export class LocalProposer implements Proposer {
  propose(tx: Transaction, target: ProposalTarget): Promise<number> {
    const index = target.index + 1;
    try {
      target.applyTransaction(tx, index);
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve(index);
  }
}
