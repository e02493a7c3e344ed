import { InvalidStateError, TransactionTooLargeError, type ObjectKind } from '../errors/index.js';
import { KIND_SPECS } from './kinds.js';
import { selectorMatches, type CompiledSelector } from './selectors.js';
import type { ObjectOf, StoreAction, Transaction } from './types.js';

/** Read access to a state: the committed tables, or staged changes layered over them. @internal */
export interface StateSource {
  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined;
  select<K extends ObjectKind>(kind: K, sel: CompiledSelector): ObjectOf<K>[];
}

/** The staged state of one object: as the layer below had it, and as it is now. @internal */
interface Entry {
  readonly kind: ObjectKind;
  readonly id: string;
  readonly base: ObjectOf<ObjectKind> | undefined;
  current: ObjectOf<ObjectKind> | undefined;
}

/**
 * Changes staged by a transaction in progress, layered over a {@link StateSource} that stays
 * untouched. One entry per object touched, in first-touch order; the net change of each entry
 * becomes one action. Overlays nest (a batch's open transaction under each of its steps), and
 * a nested one either merges into its parent or is dropped.
 *
 * @internal
 */
export class Overlay implements StateSource {
  /** Every entry, in first-touch order. */
  private readonly entries: Entry[] = [];
  /**
   * kind -> id -> entry, built once the overlay holds more than {@link SCAN_LIMIT} entries. Most
   * transactions touch an object or two, and scanning those allocates nothing, while maps cost
   * memory on every write; at a million objects each young-generation collection is expensive,
   * so what a write allocates shows up in its cost.
   */
  private byKind: Partial<Record<ObjectKind, Map<string, Entry>>> | undefined;

  /**
   * @param parent - the state under the overlay.
   * @param maxEntries - how many objects one transaction may touch; one more throws.
   */
  constructor(
    readonly parent: StateSource,
    private readonly maxEntries: number,
  ) {}

  /** Number of objects touched. */
  get size(): number {
    return this.entries.length;
  }

  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined {
    const entry = this.entry(kind, id);
    return entry === undefined ? this.parent.get(kind, id) : (entry.current as ObjectOf<K> | undefined);
  }

  select<K extends ObjectKind>(kind: K, sel: CompiledSelector): ObjectOf<K>[] {
    const below = this.parent.select(kind, sel);
    const mine = this.entries.filter((entry) => entry.kind === kind);
    if (mine.length === 0) return below;
    const out = below.filter((obj) => this.entry(kind, obj.id) === undefined);
    const spec = KIND_SPECS[kind];
    for (const entry of mine) {
      if (entry.current !== undefined && selectorMatches(spec, sel, entry.current)) out.push(entry.current as ObjectOf<K>);
    }
    return out;
  }

  /** Stages `next` (undefined: deleted) as the state of the object `kind`/`id`. */
  set<K extends ObjectKind>(kind: K, id: string, next: ObjectOf<K> | undefined): void {
    const entry = this.entry(kind, id);
    if (entry !== undefined) {
      entry.current = next;
      return;
    }
    this.add({ kind, id, base: this.parent.get(kind, id), current: next });
  }

  /** Moves every staged change into `target`, which must be this overlay's parent. */
  mergeInto(target: Overlay): void {
    if (target !== this.parent) throw new InvalidStateError('an overlay merges only into its parent');
    let added = 0;
    for (const entry of this.entries) if (target.entry(entry.kind, entry.id) === undefined) added++;
    if (added > 0) target.checkRoom(added);
    for (const entry of this.entries) target.set(entry.kind, entry.id, entry.current);
  }

  /** The net changes as a transaction: one action per object that ends up changed. */
  transaction(): Transaction {
    const actions: StoreAction[] = [];
    for (const { kind, id, base, current } of this.entries) {
      if (base === undefined && current === undefined) continue;
      if (base === undefined) actions.push({ op: 'create', kind, object: current } as StoreAction);
      else if (current === undefined) actions.push({ op: 'delete', kind, id, expectedVersion: base.meta.version } as StoreAction);
      else if (current !== base) actions.push({ op: 'update', kind, object: current, expectedVersion: base.meta.version } as StoreAction);
    }
    return { actions };
  }

  private checkRoom(more: number): void {
    if (this.entries.length + more > this.maxEntries) {
      throw new TransactionTooLargeError(
        `a transaction may change at most ${this.maxEntries} objects; split large writes with store.batch()`,
      );
    }
  }

  /** The entry of the object `kind`/`id`, if this overlay has touched it. */
  private entry(kind: ObjectKind, id: string): Entry | undefined {
    if (this.byKind !== undefined) return this.byKind[kind]?.get(id);
    for (const entry of this.entries) if (entry.id === id && entry.kind === kind) return entry;
    return undefined;
  }

  private add(entry: Entry): void {
    this.checkRoom(1);
    this.entries.push(entry);
    if (this.byKind !== undefined) file(this.byKind, entry);
    else if (this.entries.length > SCAN_LIMIT) {
      const byKind: Partial<Record<ObjectKind, Map<string, Entry>>> = {};
      for (const e of this.entries) file(byKind, e);
      this.byKind = byKind;
    }
  }
}

/** Up to this many entries, an overlay finds an entry by scanning its list rather than through maps. */
const SCAN_LIMIT = 8;

function file(byKind: Partial<Record<ObjectKind, Map<string, Entry>>>, entry: Entry): void {
  let mine = byKind[entry.kind];
  if (mine === undefined) byKind[entry.kind] = mine = new Map();
  mine.set(entry.id, entry);
}
