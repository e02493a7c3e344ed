import type { Clock, TimerHandle } from '../../runtime/index.js';

type Check = () => void;

/**
 * The waits of one updater: conditions re-checked when a task or node they depend on changes,
 * and sleeps on the clock. Everything can be woken at once: `wakeSleeps` when the update halts
 * (a paused update stops waiting between slots), `cancelAll` when it is cancelled (every wait
 * resolves `false` at once, every timer is cleared). Waits read the store when they check, so an
 * event that arrives late or twice only causes an extra check.
 *
 * Bound: one wait or sleep per worker, so at most the update's parallelism.
 *
 * @internal
 */
export class Waits {
  private readonly byTask = new Map<string, Set<Check>>();
  private readonly byNode = new Map<string, Set<Check>>();
  private readonly onCancel = new Set<() => void>();
  private readonly sleeps = new Set<() => void>();
  private cancelled = false;

  constructor(private readonly clock: Clock) {}

  /**
   * Resolves `true` once `holds()` is true, checking now and whenever one of `taskIds` or
   * `nodeIds` changes; `false` on cancellation or after `timeoutMs`.
   */
  until(holds: () => boolean, taskIds: readonly string[], nodeIds: readonly string[], timeoutMs?: number): Promise<boolean> {
    if (this.cancelled) return Promise.resolve(false);
    if (holds()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      let done = false;
      let timer: TimerHandle | undefined;
      const finish = (ok: boolean): void => {
        if (done) return;
        done = true;
        for (const id of taskIds) remove(this.byTask, id, check);
        for (const id of nodeIds) remove(this.byNode, id, check);
        this.onCancel.delete(cancel);
        if (timer !== undefined) this.clock.clearTimeout(timer);
        resolve(ok);
      };
      const check = (): void => {
        if (holds()) finish(true);
      };
      const cancel = (): void => finish(false);
      for (const id of taskIds) add(this.byTask, id, check);
      for (const id of nodeIds) add(this.byNode, id, check);
      this.onCancel.add(cancel);
      if (timeoutMs !== undefined) timer = this.clock.setTimeout(() => finish(false), timeoutMs);
    });
  }

  /** Resolves after `ms`, or at once when the sleeps are woken or the waits cancelled. */
  sleep(ms: number): Promise<void> {
    if (this.cancelled) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        if (!this.sleeps.delete(finish)) return;
        this.clock.clearTimeout(timer);
        resolve();
      };
      const timer = this.clock.setTimeout(finish, ms);
      this.sleeps.add(finish);
    });
  }

  /** Re-checks the waits that depend on task `id`. */
  taskChanged(id: string): void {
    fire(this.byTask.get(id));
  }

  /** Re-checks the waits that depend on node `id`. */
  nodeChanged(id: string): void {
    fire(this.byNode.get(id));
  }

  /** True when some wait depends on node `id`. */
  watchesNode(id: string): boolean {
    return this.byNode.has(id);
  }

  /** True when some wait depends on a node. */
  get watchingNodes(): boolean {
    return this.byNode.size > 0;
  }

  /** Re-checks every wait (after events may have been lost). */
  recheckAll(): void {
    for (const checks of [...this.byTask.values(), ...this.byNode.values()]) fire(checks);
  }

  /** Ends every sleep now. */
  wakeSleeps(): void {
    for (const finish of [...this.sleeps]) finish();
  }

  /** Ends every wait (resolving `false`) and sleep, and refuses new ones. */
  cancelAll(): void {
    this.cancelled = true;
    this.wakeSleeps();
    for (const cancel of [...this.onCancel]) cancel();
  }
}

function add(map: Map<string, Set<Check>>, key: string, check: Check): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(check);
}

function remove(map: Map<string, Set<Check>>, key: string, check: Check): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(check);
  if (set.size === 0) map.delete(key);
}

function fire(checks: Set<Check> | undefined): void {
  if (checks === undefined) return;
  for (const check of [...checks]) check();
}
