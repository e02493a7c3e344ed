/**
 * A binary min-heap whose items only ever change at the root: the scheduler takes the best item,
 * changes it (a task placed on that node, in that branch) and then either sifts it down again
 * or removes it. So no position index is needed.
 *
 * @internal
 */
export class RootHeap<T> {
  private readonly items: T[];

  /** Builds the heap in O(n) from `items` (the array is taken over). */
  constructor(
    items: T[],
    private readonly less: (a: T, b: T) => boolean,
  ) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.items.length;
  }

  /** The best item, or undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes the best item. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Restores the order after the root got worse. */
  rootChanged(): void {
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    const less = this.less;
    let i = start;
    const item = items[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && less(items[r] as T, items[l] as T)) c = r;
      if (!less(items[c] as T, item)) break;
      items[i] = items[c] as T;
      i = c;
    }
    items[i] = item;
  }
}
