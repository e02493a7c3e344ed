import type { RaftStateMachine } from '../../raft/index.js';
import { hashString } from './trace.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What a {@link RecordingStateMachine} reports to its observer.
 *
 * @public
 */
export interface StateMachineObserver {
  /** An entry was applied: `hash` is the rolling hash of every value applied up to `index`. */
  applied(index: number, value: string, previousIndex: number, hash: number): void;
  /** The state was replaced by a snapshot holding everything up to `lastIndex` (0: nothing yet). */
  restored(lastIndex: number, hash: number, count: number): void;
}

/**
 * The simulation's application: it applies UTF-8 strings and keeps only a rolling hash of the
 * sequence of (index, value) it applied, the last index and the count, so replicas are compared
 * in O(1) and snapshots stay tiny. Every apply and restore is reported to an observer (the
 * invariant checker).
 *
 * @public
 */
export class RecordingStateMachine implements RaftStateMachine {
  private last = 0;
  private rolling = 0;
  private applies = 0;

  constructor(private readonly observer: StateMachineObserver) {}

  /** The index of the last value applied (0: none). */
  get lastIndex(): number {
    return this.last;
  }

  /** The rolling hash of every (index, value) applied so far. */
  get hash(): number {
    return this.rolling;
  }

  /** How many values were applied so far (across snapshots). */
  get count(): number {
    return this.applies;
  }

  apply(data: Uint8Array, index: number): number {
    const value = decoder.decode(data);
    const previous = this.last;
    this.rolling = chain(this.rolling, index, value);
    this.last = index;
    this.applies++;
    this.observer.applied(index, value, previous, this.rolling);
    return this.applies;
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify({ last: this.last, hash: this.rolling, count: this.applies }));
  }

  restore(data: Uint8Array): void {
    const s = JSON.parse(decoder.decode(data)) as { last: number; hash: number; count: number };
    this.last = s.last;
    this.rolling = s.hash;
    this.applies = s.count;
    this.observer.restored(s.last, s.hash, s.count);
  }
}

/** The rolling hash after applying `value` at `index` to a state whose hash is `hash`. @internal */
export function chain(hash: number, index: number, value: string): number {
  return hashString(hash, `${index}:${value}`);
}

/** Encodes a client value as entry data. @internal */
export function encodeValue(value: string): Uint8Array {
  return encoder.encode(value);
}
