import type { EntryList } from './entries.js';
import type { Operation } from './history.js';

/**
 * The operations of unknown outcome (`info`), kept aside from the entry list: they never complete,
 * so once invoked each may be placed at any later point, or never.
 *
 * Operations with the same key, kind and input are interchangeable to a model (its `step` sees only
 * those and the output, which is unknown for all of them) and, having no completion, to the
 * real-time order once both are invoked. So they form a class, and the search only ever places a
 * class's earliest-invoked pending member: placing a later one instead leads to the same states with
 * the same choices left. The members placed are therefore always a prefix of the class, and a
 * register history with many timed-out writes of values nobody read (which the register models
 * rewrite to one value) costs one candidate instead of one per timeout.
 */
export class InfoPool {
  /** Class of each operation, or -1 for `ok` operations. */
  readonly classOf: Int32Array;
  private readonly members: number[][] = [];
  private readonly placed: number[] = [];
  private readonly slots: EntryList;

  constructor(ops: readonly Operation[], list: EntryList) {
    this.slots = list;
    this.classOf = new Int32Array(ops.length).fill(-1);
    const byKey = new Map<string, number>();
    const order = ops.map((_, i) => i).filter((i) => (ops[i] as Operation).status !== 'ok');
    order.sort((a, b) => (list.callSlot[a] as number) - (list.callSlot[b] as number));
    for (const i of order) {
      const op = ops[i] as Operation;
      const key = `${op.key}\u0000${op.kind}\u0000${JSON.stringify(op.input) ?? 'undefined'}`;
      let c = byKey.get(key);
      if (c === undefined) {
        c = this.members.length;
        byKey.set(key, c);
        this.members.push([]);
        this.placed.push(0);
      }
      this.classOf[i] = c;
      (this.members[c] as number[]).push(i);
    }
  }

  /** Number of classes. */
  get classes(): number {
    return this.members.length;
  }

  /** The operation class `c` offers now: its first unplaced member, if invoked before slot `boundary` (-1 for no bound); else -1. */
  candidate(c: number, boundary: number): number {
    const m = this.members[c] as number[];
    const i = m[this.placed[c] as number];
    if (i === undefined) return -1;
    return boundary < 0 || (this.slots.callSlot[i] as number) < boundary ? i : -1;
  }

  /** Marks class `c`'s candidate placed. */
  place(c: number): void {
    this.placed[c] = (this.placed[c] as number) + 1;
  }

  /** Undoes the last {@link InfoPool.place} of class `c`. */
  unplace(c: number): void {
    this.placed[c] = (this.placed[c] as number) - 1;
  }

  /** Every unplaced member invoked before slot `boundary`, at most `limit` of them. */
  pendingBefore(boundary: number, limit: number): number[] {
    const out: number[] = [];
    this.members.forEach((m, c) => {
      for (let k = this.placed[c] as number; k < m.length && out.length < limit; k++) {
        if ((this.slots.callSlot[m[k] as number] as number) < boundary) out.push(m[k] as number);
      }
    });
    return out;
  }
}
