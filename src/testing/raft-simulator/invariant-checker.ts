import type { RaftEntry, RaftStorage } from '../../raft/index.js';
import { InvariantViolationError, type InvariantName } from './invariant-error.js';

const decoder = new TextDecoder();

interface Canonical {
  readonly value: string;
  readonly hash: number;
  readonly term: number;
}

/** A member's applied state, for the convergence check. @public */
export interface AppliedState {
  readonly id: string;
  /** Index of the last value applied. */
  readonly lastIndex: number;
  /** Rolling hash of every value applied. */
  readonly hash: number;
}

/**
 * Checks raft's safety properties as a simulation runs: each method is called as the event it
 * describes happens and throws {@link InvariantViolationError} (with the seed and the recent
 * trace) on the first violation. See {@link InvariantName} for the properties.
 *
 * Commitment is observed, not assumed: an entry counts as committed once any member applied it,
 * and the first member to apply an index fixes the canonical value and rolling hash there.
 *
 * @public
 */
export class InvariantChecker {
  /** term → the member seen leading it. */
  private readonly leaders = new Map<number, string>();
  /** `index:term` → a signature of the entry (type, previous term, data). */
  private readonly logTable = new Map<string, string>();
  private readonly canon = new Map<number, Canonical>();
  private readonly canonOrder: number[] = [];
  private readonly valueIndex = new Map<string, number>();
  private readonly acks = new Map<string, number>();
  private readonly lostValues = new Set<string>();
  private first: InvariantViolationError | undefined;

  /**
   * @param seed - printed in every violation as `SEED=<seed>`
   * @param recent - the recent events to attach to a violation
   * @param now - simulated time
   */
  constructor(
    private readonly seed: string,
    private readonly recent: () => string[],
    private readonly now: () => number,
  ) {}

  /** Terms in which a leader was seen. */
  get terms(): number {
    return this.leaders.size;
  }

  /** Writes acknowledged to clients so far. */
  get acknowledged(): number {
    return this.acks.size;
  }

  /** Distinct indexes applied by some member (entries known to be committed). */
  get committed(): number {
    return this.canon.size;
  }

  /**
   * The first violation found, kept because raft code may catch what the checker throws from
   * inside it (a state machine's errors are the proposer's business): the simulation rethrows it.
   */
  get violation(): InvariantViolationError | undefined {
    return this.first;
  }

  /** The highest index any member applied a value at (0: none). */
  get highestApplied(): number {
    return this.canonOrder[this.canonOrder.length - 1] ?? 0;
  }

  /** Records and throws an {@link InvariantViolationError}. */
  fail(invariant: InvariantName, detail: string, cause?: unknown): never {
    const error = new InvariantViolationError({ seed: this.seed, invariant, detail, trace: this.recent(), at: this.now(), cause });
    this.first ??= error;
    throw this.first;
  }

  /** `id` is leader of `term`. */
  leaderSeen(id: string, term: number): boolean {
    const seen = this.leaders.get(term);
    if (seen === undefined) {
      this.leaders.set(term, id);
      return true;
    }
    if (seen !== id) this.fail('electionSafety', `two leaders in term ${term}: ${seen} and ${id}`);
    return false;
  }

  /** `member` persisted `entries`, following an entry of term `prevTerm`. */
  appended(member: string, entries: readonly RaftEntry[], prevTerm: number): void {
    let prev = prevTerm;
    for (const e of entries) {
      if (e.term < prev) this.fail('logMatching', `${member}: entry ${e.index} has term ${e.term}, below the term ${prev} of the entry before it`);
      const key = `${e.index}:${e.term}`;
      const sig = `${e.type}|${prev}|${decoder.decode(e.data)}`;
      const known = this.logTable.get(key);
      if (known === undefined) this.logTable.set(key, sig);
      else if (known !== sig) this.fail('logMatching', `${member}: entry ${key} is ${JSON.stringify(sig)}, another log has ${JSON.stringify(known)}`);
      prev = e.term;
    }
  }

  /** `member` applied `value` at `index` (term `term`, -1 when unknown); `hash` covers everything it applied. */
  applied(member: string, index: number, value: string, previousIndex: number, hash: number, term: number): void {
    if (index <= previousIndex) this.fail('stateMachineSafety', `${member} applied index ${index} after index ${previousIndex}`);
    const c = this.canon.get(index);
    if (c !== undefined) {
      if (c.value !== value) this.fail('stateMachineSafety', `${member} applied ${JSON.stringify(value)} at ${index}; another member applied ${JSON.stringify(c.value)} there`);
      if (c.hash !== hash) this.fail('stateMachineSafety', `${member} reached index ${index} through a different sequence of values than another member`);
      if (term >= 0 && c.term >= 0 && c.term !== term) this.fail('stateMachineSafety', `${member} applied index ${index} from term ${term}; another member from term ${c.term}`);
      return;
    }
    const max = this.canonOrder[this.canonOrder.length - 1] ?? 0;
    if (index < max) this.fail('stateMachineSafety', `${member} applied ${JSON.stringify(value)} at ${index}, which no member applied although index ${max} is applied`);
    if (previousIndex !== max) this.fail('stateMachineSafety', `${member} applied index ${index} right after ${previousIndex}, skipping the value applied at ${max}`);
    const other = this.valueIndex.get(value);
    if (other !== undefined) this.fail('stateMachineSafety', `${JSON.stringify(value)} applied at both ${other} and ${index}`);
    if (this.lostValues.has(value)) this.fail('durability', `${JSON.stringify(value)} was reported lost to its client but is applied at ${index}`);
    this.canon.set(index, { value, hash, term });
    this.canonOrder.push(index);
    this.valueIndex.set(value, index);
  }

  /** `member` restored a snapshot covering values up to `lastIndex`, with rolling hash `hash`. */
  restored(member: string, lastIndex: number, hash: number): void {
    if (lastIndex === 0) return;
    const c = this.canon.get(lastIndex);
    if (c === undefined) this.fail('stateMachineSafety', `${member} restored a snapshot ending at ${lastIndex}, which no member applied`);
    if (c.hash !== hash) this.fail('stateMachineSafety', `${member} restored a snapshot at ${lastIndex} whose state differs from what members applied`);
  }

  /** A client was told `value` committed at `index`. */
  acknowledge(index: number, value: string): void {
    const c = this.canon.get(index);
    if (c === undefined || c.value !== value) this.fail('durability', `${JSON.stringify(value)} acknowledged at ${index}, but ${c === undefined ? 'nothing' : JSON.stringify(c.value)} is applied there`);
    this.acks.set(value, index);
  }

  /** A client was told `value` definitely did not commit. */
  lost(value: string): void {
    const at = this.valueIndex.get(value);
    if (at !== undefined) this.fail('durability', `${JSON.stringify(value)} reported lost to its client, but it is applied at ${at}`);
    this.lostValues.add(value);
  }

  /**
   * A member just became leader: every entry some member applied before must be in its log
   * (`storage`, which holds everything the leader has: the driver persists before it proceeds).
   */
  checkLeaderLog(id: string, term: number, storage: RaftStorage): void {
    if (this.canonOrder.length === 0) return;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    const max = this.canonOrder[this.canonOrder.length - 1] as number;
    if (max > last) this.fail('leaderCompleteness', `${id} leads term ${term} with log ending at ${last}, but index ${max} is committed`);
    const lo = Math.max(first, this.canonOrder[0] as number);
    if (lo > max) return;
    const entries = storage.entries(lo, max + 1);
    for (const index of this.canonOrder) {
      if (index < lo) continue;
      const e = entries[index - lo] as RaftEntry;
      const c = this.canon.get(index) as Canonical;
      const value = decoder.decode(e.data);
      if (value !== c.value || (c.term >= 0 && e.term !== c.term)) {
        this.fail('leaderCompleteness', `${id} leads term ${term} with ${JSON.stringify(value)}@${e.term} at ${index}, but ${JSON.stringify(c.value)}@${c.term} is committed there`);
      }
    }
  }

  /** Compares every pair of logs: where they hold an entry of the same index and term, they agree on everything up to there. */
  checkLogsMatch(logs: readonly { readonly id: string; readonly storage: RaftStorage }[]): void {
    const views = logs.map(({ id, storage }) => ({ id, first: storage.firstIndex(), entries: storage.entries(storage.firstIndex(), storage.lastIndex() + 1) }));
    for (let a = 0; a < views.length; a++) {
      for (let b = a + 1; b < views.length; b++) {
        const x = views[a] as (typeof views)[number];
        const y = views[b] as (typeof views)[number];
        const lo = Math.max(x.first, y.first);
        const hi = Math.min(x.first + x.entries.length, y.first + y.entries.length) - 1;
        let match = -1;
        for (let i = hi; i >= lo; i--) {
          if ((x.entries[i - x.first] as RaftEntry).term === (y.entries[i - y.first] as RaftEntry).term) {
            match = i;
            break;
          }
        }
        for (let i = lo; i <= match; i++) {
          const ex = x.entries[i - x.first] as RaftEntry;
          const ey = y.entries[i - y.first] as RaftEntry;
          if (ex.term !== ey.term || ex.type !== ey.type || decoder.decode(ex.data) !== decoder.decode(ey.data)) {
            this.fail('logMatching', `${x.id} and ${y.id} both hold index ${match} of term ${(x.entries[match - x.first] as RaftEntry).term} but differ at ${i}`);
          }
        }
      }
    }
  }

  /**
   * End of a run: every member applied the same sequence up to at least every acknowledged
   * write.
   */
  checkConverged(states: readonly AppliedState[]): void {
    let highestAck = 0;
    for (const [value, index] of this.acks) {
      if (this.canon.get(index)?.value !== value) this.fail('durability', `acknowledged ${JSON.stringify(value)} is not applied at ${index}`);
      highestAck = Math.max(highestAck, index);
    }
    for (const s of states) {
      if (s.lastIndex < highestAck) this.fail('durability', `${s.id} applied up to ${s.lastIndex} only, but index ${highestAck} was acknowledged`);
      if (s.lastIndex === 0) continue;
      const c = this.canon.get(s.lastIndex);
      if (c === undefined || c.hash !== s.hash) this.fail('stateMachineSafety', `${s.id} ends at ${s.lastIndex} with a state no other member had there`);
    }
  }
}
