/**
 * What a client may conclude from an error of the replicated store: whether the operation
 * certainly had no effect (and may be retried elsewhere), or may have taken effect.
 */
import { AlreadyExistsError, ClosedError, NotFoundError, ProposalLostError, QuorumLostError, VersionConflictError } from '../../../src/errors/index.js';
import { NotLeaderError, ProposalDroppedError } from '../../../src/raft/index.js';
import { NotProposedError } from './kv-operations.js';

/**
 * - `redirect`: not proposed because this manager does not lead; retry at `leader` (or elsewhere).
 * - `failed`: certainly no effect (refused, or committed but rejected alike by every manager).
 * - `unknown`: proposed, outcome unknown (a timeout, the manager stopped): it may still take effect.
 * - `unexpected`: an error the store's contract does not mention; treated as `unknown` and reported.
 */
export type Outcome = { readonly kind: 'redirect'; readonly leader: string | null } | { readonly kind: 'failed' | 'unknown' | 'unexpected' };

/** Classifies an error a replicated store operation rejected with. */
export function classify(err: unknown): Outcome {
  if (err instanceof NotLeaderError) return { kind: 'redirect', leader: err.leader };
  // A leadership transfer in progress: nothing was appended.
  if (err instanceof ProposalDroppedError) return { kind: 'redirect', leader: null };
  if (err instanceof NotProposedError) return { kind: 'failed' };
  // Committed, then rejected by the deterministic checks every manager applies alike.
  if (err instanceof VersionConflictError || err instanceof AlreadyExistsError || err instanceof NotFoundError) return { kind: 'failed' };
  // Another entry took its index: it will never commit.
  if (err instanceof ProposalLostError) return { kind: 'failed' };
  if (err instanceof QuorumLostError || err instanceof ClosedError) return { kind: 'unknown' };
  return { kind: 'unexpected' };
}
