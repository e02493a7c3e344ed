import type { Clock } from '../runtime/index.js';
import type { RpcResponseMessage } from './messages.js';

interface Entry {
  readonly expiresAt: number;
  /** Undefined while the handler runs. */
  response: RpcResponseMessage | undefined;
}

/**
 * Remembers the requests a server has seen, for a bounded window of time and a bounded number of
 * entries, so a duplicated or retransmitted request is answered from memory instead of running
 * again. Entries are kept in arrival order and dropped from the front once expired, or once there
 * are more than `maxEntries` (a duplicate arriving after its entry was dropped runs again, so the
 * window should exceed the callers' deadlines).
 *
 * @internal
 */
export class DedupeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `key`, or undefined when the request is new. */
  lookup(key: string): { readonly response: RpcResponseMessage | undefined } | undefined {
    this.sweep();
    return this.entries.get(key);
  }

  /** Records that the request `key` started running. */
  begin(key: string): void {
    this.entries.set(key, { expiresAt: this.clock.now() + this.windowMs, response: undefined });
    this.sweep();
  }

  /** Records the response of `key`, to replay to duplicates. */
  complete(key: string, response: RpcResponseMessage): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) entry.response = response;
  }

  clear(): void {
    this.entries.clear();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
