/**
 * Majority arithmetic over a set of voters.
 */

/**
 * The highest index that a majority of `voters` have acknowledged, given each voter's
 * acknowledged index. With no voters, returns 0 (nothing can commit).
 *
 * @internal
 */
export function committedIndex(voters: ReadonlySet<string>, acked: (id: string) => number): number {
  if (voters.size === 0) return 0;
  const values = [...voters].map(acked).sort((a, b) => b - a);
  return values[Math.floor(voters.size / 2)] as number;
}

/**
 * The outcome of a vote so far: `won` (a majority granted), `lost` (a majority can no longer
 * grant) or `pending`.
 *
 * @public
 */
export type VoteResult = 'won' | 'lost' | 'pending';

/** Tallies `votes` (true = granted) among `voters`. @internal */
export function voteResult(voters: ReadonlySet<string>, votes: ReadonlyMap<string, boolean>): VoteResult {
  if (voters.size === 0) return 'won';
  const q = Math.floor(voters.size / 2) + 1;
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  if (granted >= q) return 'won';
  if (granted + missing >= q) return 'pending';
  return 'lost';
}

/** True when `ids` include a majority of `voters`. @internal */
export function hasQuorum(voters: ReadonlySet<string>, ids: ReadonlySet<string>): boolean {
  let n = 0;
  for (const id of voters) if (ids.has(id)) n++;
  return n >= Math.floor(voters.size / 2) + 1;
}
