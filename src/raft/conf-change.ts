import type { ConfState } from './messages.js';

/**
 * The kinds of single-server membership change:
 * - `addVoter`: add a voting member (or promote a learner);
 * - `addLearner`: add a non-voting member that receives the log, or demote a voter to one (the
 *   quorum shrinks as with `remove`; a demoted leader steps down);
 * - `promoteLearner`: turn a learner into a voter;
 * - `remove`: remove a voter or learner.
 *
 * @public
 */
export type ConfChangeType = 'addVoter' | 'addLearner' | 'promoteLearner' | 'remove';

/**
 * One membership change, proposed with {@link RaftNode.proposeConfChange} and applied with
 * {@link RaftNode.applyConfChange} once its entry commits.
 *
 * @public
 */
export interface ConfChange {
  /** What to do. */
  readonly type: ConfChangeType;
  /** The node the change is about. */
  readonly nodeId: string;
  /** Application bytes carried with the change (e.g. the new node's address). */
  readonly context?: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TYPES: readonly ConfChangeType[] = ['addVoter', 'addLearner', 'promoteLearner', 'remove'];

/**
 * Encodes a conf change as the data of a `confChange` entry.
 *
 * @public
 */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const json: { type: ConfChangeType; nodeId: string; context?: string } = { type: change.type, nodeId: change.nodeId };
  if (change.context !== undefined) json.context = Buffer.from(change.context).toString('base64');
  return encoder.encode(JSON.stringify(json));
}

/**
 * Decodes the data of a `confChange` entry. Throws a `TypeError` on malformed data.
 *
 * @public
 */
export function decodeConfChange(data: Uint8Array): ConfChange {
  const json = JSON.parse(decoder.decode(data)) as { type?: unknown; nodeId?: unknown; context?: unknown };
  if (typeof json.nodeId !== 'string' || !TYPES.includes(json.type as ConfChangeType)) throw new TypeError('malformed conf change');
  const base = { type: json.type as ConfChangeType, nodeId: json.nodeId };
  return typeof json.context === 'string' ? { ...base, context: new Uint8Array(Buffer.from(json.context, 'base64')) } : base;
}

/**
 * Why a change cannot apply to `conf`, or `undefined` when it can. A change that would leave no
 * voter is invalid.
 *
 * @public
 */
export function validateConfChange(conf: ConfState, change: ConfChange): string | undefined {
  const isVoter = conf.voters.includes(change.nodeId);
  const isLearner = conf.learners.includes(change.nodeId);
  switch (change.type) {
    case 'addVoter':
      return isVoter ? `${change.nodeId} is already a voter` : undefined;
    case 'addLearner':
      if (isLearner) return `${change.nodeId} is already a learner`;
      return isVoter && conf.voters.length === 1 ? `cannot demote the last voter ${change.nodeId}` : undefined;
    case 'promoteLearner':
      return isLearner ? undefined : `${change.nodeId} is not a learner`;
    case 'remove':
      if (!isVoter && !isLearner) return `${change.nodeId} is not a member`;
      return isVoter && conf.voters.length === 1 ? `cannot remove the last voter ${change.nodeId}` : undefined;
  }
}

/**
 * The membership after `change` (changes that do not apply leave it as it is, so re-applying a
 * change is harmless).
 *
 * @public
 */
export function applyToConfState(conf: ConfState, change: ConfChange): ConfState {
  const voters = conf.voters.filter((v) => v !== change.nodeId);
  const learners = conf.learners.filter((v) => v !== change.nodeId);
  const wasVoter = voters.length !== conf.voters.length;
  const wasLearner = learners.length !== conf.learners.length;
  switch (change.type) {
    case 'addVoter':
      return { voters: [...voters, change.nodeId], learners };
    case 'addLearner':
      return wasVoter && voters.length === 0 ? conf : { voters, learners: [...learners, change.nodeId] };
    case 'promoteLearner':
      return wasLearner ? { voters: [...voters, change.nodeId], learners } : conf;
    case 'remove':
      return wasVoter && voters.length === 0 ? conf : { voters, learners };
  }
}
