/**
 * A one-shot result whose promise is only made when someone waits (most never do).
 *
 * @internal
 */
export class Latch<T> {
  settled = false;
  private value: T | undefined;
  /**
   * Who waits: one function kept as it is (the common case, a running container's one waiter:
   * an array grown by a push has room for 17 and costs ~170 bytes), more in an array.
   */
  private waiters: ((value: T) => void) | ((value: T) => void)[] | undefined;

  wait(): Promise<T> {
    if (this.settled) return Promise.resolve(this.value as T);
    return new Promise<T>((resolve) => this.add(resolve));
  }

  /** Calls `fn` with the value once settled (at once when it already is), without a promise. */
  onSettle(fn: (value: T) => void): void {
    if (this.settled) fn(this.value as T);
    else this.add(fn);
  }

  resolve(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.value = value;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (typeof waiters === 'function') waiters(value);
    else for (const w of waiters ?? []) w(value);
  }

  private add(fn: (value: T) => void): void {
    const waiters = this.waiters;
    if (waiters === undefined) this.waiters = fn;
    else if (typeof waiters === 'function') this.waiters = [waiters, fn];
    else waiters.push(fn);
  }
}
