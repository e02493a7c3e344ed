import type { Random } from '../../runtime/index.js';

/** Entries an {@link IdMemo} keeps at most before it forgets them all. */
const MAX_ENTRIES = 100_000;

/**
 * The task id chosen for a slot, remembered until the write that creates it is known to have
 * committed. A write can fail with an unknown outcome (quorum lost, leadership lost): it may
 * still commit later. Retrying with the same id makes such a late commit and its retry collide
 * (the second fails with `AlreadyExistsError`) instead of filling the slot twice.
 *
 * Bounded: past 100,000 unconfirmed entries it starts over.
 *
 * @internal
 */
export class IdMemo {
  private readonly ids = new Map<string, string>();

  constructor(private readonly random: Random) {}

  /** The id to create the task of `key` with. */
  idFor(key: string): string {
    let id = this.ids.get(key);
    if (id === undefined) {
      if (this.ids.size >= MAX_ENTRIES) this.ids.clear();
      id = this.random.id();
      this.ids.set(key, id);
    }
    return id;
  }

  /** Forgets the ids of `keys` (their write committed). */
  confirm(keys: Iterable<string>): void {
    for (const k of keys) this.ids.delete(k);
  }

  /** Forgets every id whose key starts with `prefix` (a deleted service). */
  forgetPrefix(prefix: string): void {
    for (const k of this.ids.keys()) if (k.startsWith(prefix)) this.ids.delete(k);
  }
}
