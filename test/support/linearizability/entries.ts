import type { Operation } from './history.js';

/** The end-of-list marker. */
export const NIL = -1;
/** Slot of the head sentinel of the main list. */
export const MAIN_HEAD = 0;

/** What a slot holds: the head sentinel, an `ok` invocation, a completion, or an `info` invocation. */
export const SlotKind = { Head: 0, Call: 1, Return: 2, InfoCall: 3 } as const;

/**
 * The WGL entry list, a doubly linked list over typed arrays so the search can lift an operation
 * out (both its entries) and put it back in O(1).
 *
 * Slots are numbered in real-time order from 1 (0 is the head), so comparing two slots compares
 * their times. The list links the invocation and completion of every `ok` operation. `info`
 * operations never complete; their invocations get slots (for that comparison) but are not linked:
 * the search keeps them aside, as they can be placed at any point after their invocation, or never.
 */
export class EntryList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** Operation index of each slot (index into the partition's operations); -1 for the head. */
  readonly op: Int32Array;
  readonly kind: Uint8Array;
  /** For a `Call` slot, the slot of its completion. */
  readonly match: Int32Array;
  /** The invocation slot of each operation. */
  readonly callSlot: Int32Array;

  /** Builds the list for `ops`; operations whose status is not `ok` get an unlinked invocation slot. */
  constructor(ops: readonly Operation[]) {
    const useSeq = ops.every((o) => o.callSeq !== undefined && (o.status !== 'ok' || o.returnSeq !== undefined));
    interface Ev {
      readonly op: number;
      readonly isCall: boolean;
      readonly time: number;
      readonly seq: number;
    }
    const events: Ev[] = [];
    ops.forEach((o, i) => {
      events.push({ op: i, isCall: true, time: o.call, seq: o.callSeq ?? 0 });
      if (o.status === 'ok') events.push({ op: i, isCall: false, time: o.return as number, seq: o.returnSeq ?? 0 });
    });
    events.sort((a, b) => {
      if (a.time !== b.time) return a.time - b.time;
      if (useSeq && a.seq !== b.seq) return a.seq - b.seq;
      // Invocations first: ties are treated as concurrent, which can only admit more orders.
      if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
      return a.op - b.op;
    });
    const m = events.length + 1;
    this.next = new Int32Array(m).fill(NIL);
    this.prev = new Int32Array(m).fill(NIL);
    this.op = new Int32Array(m).fill(-1);
    this.kind = new Uint8Array(m);
    this.match = new Int32Array(m).fill(NIL);
    this.callSlot = new Int32Array(ops.length);
    let tail = MAIN_HEAD;
    events.forEach((e, k) => {
      const slot = k + 1;
      const o = ops[e.op] as Operation;
      this.op[slot] = e.op;
      const info = o.status !== 'ok';
      this.kind[slot] = !e.isCall ? SlotKind.Return : info ? SlotKind.InfoCall : SlotKind.Call;
      if (e.isCall) this.callSlot[e.op] = slot;
      else this.match[this.callSlot[e.op] as number] = slot;
      if (info) return;
      this.prev[slot] = tail;
      this.next[tail] = slot;
      tail = slot;
    });
  }

  /** Removes an `ok` operation's invocation and completion from the list. */
  lift(call: number): void {
    this.unlink(call);
    const ret = this.match[call] as number;
    if (ret !== NIL) this.unlink(ret);
  }

  /** Undoes {@link EntryList.lift}; lifts must be undone in reverse order. */
  unlift(call: number): void {
    const ret = this.match[call] as number;
    if (ret !== NIL) this.relink(ret);
    this.relink(call);
  }

  private unlink(slot: number): void {
    const p = this.prev[slot] as number;
    const n = this.next[slot] as number;
    this.next[p] = n;
    if (n !== NIL) this.prev[n] = p;
  }

  private relink(slot: number): void {
    const p = this.prev[slot] as number;
    const n = this.next[slot] as number;
    this.next[p] = slot;
    if (n !== NIL) this.prev[n] = slot;
  }
}
