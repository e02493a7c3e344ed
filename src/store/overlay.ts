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
  private readonly entries = new Map<string, Entry>();
  private readonly byKind = new Map<ObjectKind, Map<string, Entry>>();

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
    return this.entries.size;
  }

  get<K extends ObjectKind>(kind: K, id: string): ObjectOf<K> | undefined {
    const entry = this.byKind.get(kind)?.get(id);
    return entry === undefined ? this.parent.get(kind, id) : (entry.current as ObjectOf<K> | undefined);
  }

  select<K extends ObjectKind>(kind: K, sel: CompiledSelector): ObjectOf<K>[] {
    const mine = this.byKind.get(kind);
    const below = this.parent.select(kind, sel);
    if (mine === undefined) return below;
    const out = below.filter((obj) => !mine.has(obj.id));
    const spec = KIND_SPECS[kind];
    for (const entry of mine.values()) {
      if (entry.current !== undefined && selectorMatches(spec, sel, entry.current)) out.push(entry.current as ObjectOf<K>);
    }
    return out;
  }

  /** Stages `next` (undefined: deleted) as the state of the object `kind`/`id`. */
  set<K extends ObjectKind>(kind: K, id: string, next: ObjectOf<K> | undefined): void {
    const mine = this.byKind.get(kind);
    const entry = mine?.get(id);
    if (entry !== undefined) {
      entry.current = next;
      return;
    }
    this.add({ kind, id, base: this.parent.get(kind, id), current: next }, mine);
  }

  /** Moves every staged change into `target`, which must be this overlay's parent. */
  mergeInto(target: Overlay): void {
    if (target !== this.parent) throw new InvalidStateError('an overlay merges only into its parent');
    let added = 0;
    for (const entry of this.entries.values()) if (target.byKind.get(entry.kind)?.has(entry.id) !== true) added++;
    if (added > 0) target.checkRoom(added);
    for (const entry of this.entries.values()) target.set(entry.kind, entry.id, entry.current);
  }

  /** The net changes as a transaction: one action per object that ends up changed. */
  transaction(): Transaction {
    const actions: StoreAction[] = [];
    for (const { kind, id, base, current } of this.entries.values()) {
      if (base === undefined && current === undefined) continue;
      if (base === undefined) actions.push({ op: 'create', kind, object: current } as StoreAction);
      else if (current === undefined) actions.push({ op: 'delete', kind, id, expectedVersion: base.meta.version } as StoreAction);
      else if (current !== base) actions.push({ op: 'update', kind, object: current, expectedVersion: base.meta.version } as StoreAction);
    }
    return { actions };
  }

  private checkRoom(more: number): void {
    if (this.entries.size + more > this.maxEntries) {
      throw new TransactionTooLargeError(
        `a transaction may change at most ${this.maxEntries} objects; split large writes with store.batch()`,
      );
    }
  }

  private add(entry: Entry, mine: Map<string, Entry> | undefined): void {
    this.checkRoom(1);
    if (mine === undefined) this.byKind.set(entry.kind, (mine = new Map()));
    this.entries.set(entry.kind + '\u0000' + entry.id, entry);
    mine.set(entry.id, entry);
  }
}
