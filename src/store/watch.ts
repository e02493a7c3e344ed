import { Observable, type Subscriber } from 'rxjs';
import { ClosedError, InvalidStateError, ValidationError, WatchOverflowError, type ObjectKind } from '../errors/index.js';
import { KIND_SPECS, isObjectKind, type KindSpec } from './kinds.js';
import { compileSelector, selectorMatches, type CompiledSelector, type SelectorOf } from './selectors.js';
import type { CommitEvent, ObjectEvent, StoreEvent } from './types.js';

/**
 * How many undelivered events (object events and commit markers) a watcher may have queued
 * before it is ended with `WatchOverflowError`, unless the store or the watch says otherwise.
 *
 * @public
 */
export const DEFAULT_WATCH_BUFFER_SIZE = 10_000;

/** What a watch receives. @public */
export interface WatchOptions<K extends ObjectKind = ObjectKind> {
  /** Only these kinds (default: every kind). */
  readonly kind?: K | readonly K[];
  /**
   * Only changes where the object before or after matches (needs exactly one `kind`). A task
   * moving off a node therefore reaches a watcher of that node's tasks.
   */
  readonly selector?: SelectorOf<K>;
  /**
   * Only object events for which this returns true. It runs at delivery, never inside a write,
   * so the events it drops still count against the buffer until then; a predicate that throws
   * ends the watch with its error.
   */
  readonly where?: (event: ObjectEvent<K>) => boolean;
  /**
   * Receive a commit marker for every transaction. By default a marker follows only the
   * transactions that delivered at least one object event to this watcher.
   */
  readonly allCommits?: boolean;
  /** This watcher's buffer bound (default: the store's `watchBufferSize`). */
  readonly bufferSize?: number;
}

interface Filter {
  readonly kinds: ReadonlySet<ObjectKind> | undefined;
  readonly selector: { readonly spec: KindSpec; readonly sel: CompiledSelector } | undefined;
  readonly where: ((event: ObjectEvent) => boolean) | undefined;
  readonly allCommits: boolean;
}

function compileFilter(options: WatchOptions<ObjectKind>): Filter {
  const kindList = options.kind === undefined ? undefined : typeof options.kind === 'string' ? [options.kind] : options.kind;
  for (const kind of kindList ?? []) {
    if (!isObjectKind(kind)) throw new ValidationError([{ path: 'kind', message: `unknown kind ${JSON.stringify(kind)}` }]);
  }
  let selector: Filter['selector'];
  if (options.selector !== undefined) {
    if (kindList?.length !== 1) throw new ValidationError([{ path: 'selector', message: 'a watch selector needs exactly one kind' }]);
    const spec = KIND_SPECS[kindList[0] as ObjectKind];
    selector = { spec, sel: compileSelector(spec, options.selector) };
  }
  return {
    kinds: kindList === undefined ? undefined : new Set(kindList),
    selector,
    where: options.where as ((event: ObjectEvent) => boolean) | undefined,
    allCommits: options.allCommits === true,
  };
}

function accepts(filter: Filter, event: ObjectEvent): boolean {
  if (filter.kinds !== undefined && !filter.kinds.has(event.kind)) return false;
  const s = filter.selector;
  if (s === undefined) return true;
  return selectorMatches(s.spec, s.sel, event.object) || (event.old !== undefined && selectorMatches(s.spec, s.sel, event.old));
}

type State = 'open' | 'failed' | 'completing' | 'done';

/**
 * One watcher: a bounded queue between the writers and one subscriber, drained on a microtask.
 * The writer only appends; the subscriber's code never runs inside a write.
 */
class Watcher {
  private queue: (StoreEvent | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private state: State = 'open';
  private failure: unknown;
  private deliveredSinceCommit = false;
  private observer: Subscriber<StoreEvent> | undefined;

  constructor(
    private readonly hub: WatchHub,
    private readonly filter: Filter,
    readonly limit: number,
  ) {}

  get attached(): boolean {
    return this.observer !== undefined;
  }

  attach(observer: Subscriber<StoreEvent>): void {
    this.observer = observer;
    this.schedule();
  }

  detach(): void {
    this.state = 'done';
    this.queue = [];
    this.head = 0;
    this.hub.remove(this);
  }

  /** Queues the accepted events of one transaction and its commit marker. */
  offer(events: readonly ObjectEvent[], commit: CommitEvent): void {
    if (this.state !== 'open') return;
    let any = false;
    for (const event of events) {
      if (!accepts(this.filter, event)) continue;
      if (!this.push(event)) return;
      any = true;
    }
    if (any || this.filter.allCommits) this.push(commit);
  }

  /** Delivers what is queued, then completes. */
  complete(): void {
    if (this.state !== 'open') return;
    this.state = 'completing';
    this.schedule();
  }

  fail(error: unknown): void {
    if (this.state === 'done' || this.state === 'failed') return;
    this.state = 'failed';
    this.failure = error;
    this.queue = [];
    this.head = 0;
    this.hub.remove(this);
    this.schedule();
  }

  private push(event: StoreEvent): boolean {
    if (this.queue.length - this.head >= this.limit) {
      this.fail(new WatchOverflowError(this.limit));
      return false;
    }
    this.queue.push(event);
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.scheduled || this.observer === undefined) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  /** Delivers the events queued when the drain began; later ones go to the next microtask. */
  private drain(): void {
    this.scheduled = false;
    const observer = this.observer;
    if (observer === undefined || this.state === 'done') return;
    const end = this.queue.length;
    while (this.head < end && this.delivering()) {
      const event = this.queue[this.head] as StoreEvent;
      this.queue[this.head++] = undefined;
      this.deliver(observer, event);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length && this.state !== 'failed') {
      this.schedule();
    } else if (this.state === 'failed') {
      this.state = 'done';
      observer.error(this.failure);
    } else if (this.state === 'completing') {
      this.state = 'done';
      this.hub.remove(this);
      observer.complete();
    }
  }

  private delivering(): boolean {
    return this.state === 'open' || this.state === 'completing';
  }

  private deliver(observer: Subscriber<StoreEvent>, event: StoreEvent): void {
    if (event.type === 'commit') {
      if (!this.deliveredSinceCommit && !this.filter.allCommits) return;
      this.deliveredSinceCommit = false;
      observer.next(event);
      return;
    }
    if (this.filter.where !== undefined) {
      let keep: boolean;
      try {
        keep = this.filter.where(event);
      } catch (err) {
        this.fail(err);
        return;
      }
      if (!keep) return;
    }
    this.deliveredSinceCommit = true;
    observer.next(event);
  }
}

/**
 * A consistent snapshot and the changes after it: `result` is what the view callback returned,
 * and `events` emits every change committed after that view, with nothing missed or repeated.
 *
 * @public
 */
export interface ViewAndWatch<T, K extends ObjectKind = ObjectKind> {
  readonly result: T;
  /**
   * The changes since the view. Events are buffered from the moment of the view, so subscribe
   * soon: until then they count against the buffer bound. Only one subscription is allowed.
   */
  readonly events: Observable<StoreEvent<K>>;
}

/** The store's watchers: fan-out of committed events into bounded per-watcher queues. @internal */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  constructor(private readonly defaultBufferSize: number) {}

  /** Whether anyone is watching (so publishers can skip building events). */
  get active(): boolean {
    return this.watchers.size > 0;
  }

  /** An observable that registers a fresh watcher for each subscription. */
  watch<K extends ObjectKind>(options: WatchOptions<K>): Observable<StoreEvent<K>> {
    const filter = compileFilter(options as unknown as WatchOptions<ObjectKind>);
    const limit = this.bufferSize(options.bufferSize);
    return new Observable<StoreEvent<K>>((subscriber) => {
      if (this.closed) {
        subscriber.error(new ClosedError('store'));
        return undefined;
      }
      const watcher = new Watcher(this, filter, limit);
      this.watchers.add(watcher);
      watcher.attach(subscriber as Subscriber<StoreEvent>);
      return () => watcher.detach();
    });
  }

  /** Registers a watcher now (before `read` runs), and hands out its events once. */
  viewAndWatch<T, K extends ObjectKind>(options: WatchOptions<K>, read: () => T): ViewAndWatch<T, K> {
    if (this.closed) throw new ClosedError('store');
    const watcher = new Watcher(this, compileFilter(options as unknown as WatchOptions<ObjectKind>), this.bufferSize(options.bufferSize));
    this.watchers.add(watcher);
    let result: T;
    try {
      result = read();
    } catch (err) {
      watcher.detach();
      throw err;
    }
    const events = new Observable<StoreEvent<K>>((subscriber) => {
      if (watcher.attached) {
        subscriber.error(new InvalidStateError('the events of a viewAndWatch can be subscribed only once'));
        return undefined;
      }
      watcher.attach(subscriber as Subscriber<StoreEvent>);
      return () => watcher.detach();
    });
    return { result, events };
  }

  /** Hands one committed transaction's events to every watcher. */
  publish(events: readonly ObjectEvent[], index: number): void {
    const commit: CommitEvent = Object.freeze({ type: 'commit', index });
    // Deleting from a Set while iterating it is safe: an overflowing watcher removes itself.
    for (const watcher of this.watchers) watcher.offer(events, commit);
  }

  remove(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  /** Completes every watcher after it has received what is queued; refuses new ones. */
  close(): void {
    this.closed = true;
    for (const watcher of [...this.watchers]) watcher.complete();
  }

  private bufferSize(requested: number | undefined): number {
    const size = requested ?? this.defaultBufferSize;
    if (!Number.isInteger(size) || size < 1) throw new ValidationError([{ path: 'bufferSize', message: 'must be a positive integer' }]);
    return size;
  }
}
