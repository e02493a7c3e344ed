import type { Readable } from 'node:stream';
import type { Clock, Logger, TimerHandle } from '../../runtime/index.js';
import type { DockerEngine } from './engine.js';
import { engineFailure } from './errors.js';
import { DOCKER_LABELS } from './labels.js';

/** A container event, as the controller needs it. @internal */
export interface ContainerEvent {
  /** Docker's action: `start`, `die`, `destroy`, `oom`, `health_status: healthy`... */
  readonly action: string;
  readonly containerId: string;
  /** The exit code, on `die`. */
  readonly exitCode?: number;
}

/**
 * What a watcher is told: an event of its container, or `resync` when the stream was lost and
 * re-established (events in between may be missing, so the watcher should look again).
 *
 * @internal
 */
export type EventListener = (event: ContainerEvent | 'resync') => void;

/** Longest line kept while waiting for its end (a bound on a misbehaving stream). */
const MAX_LINE_BYTES = 1 << 20;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * One `GET /events` stream per executor, shared by every controller that waits on a container
 * (SwarmKit opens one per container; one per engine scales better). It is opened when the first
 * watcher arrives and closed when the last leaves, filtered to the executor's containers
 * (`type=container`, its scope label). When the stream breaks while watchers remain, it is
 * re-opened with backoff ({@link FIRST_RETRY_MS} to {@link MAX_RETRY_MS}) and every watcher is
 * told to `resync`.
 *
 * @internal
 */
export class EventMonitor {
  private readonly watchers = new Map<string, Set<EventListener>>();
  private watcherCount = 0;
  private connection: { readonly abort: AbortController; readonly ready: Promise<void> } | undefined;
  private retryTimer: TimerHandle | undefined;
  private retryMs = 0;

  constructor(
    private readonly engine: DockerEngine,
    private readonly scope: string,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {}

  /** Watchers registered now. */
  get size(): number {
    return this.watcherCount;
  }

  /**
   * Registers `listener` for the events of container `containerId` and resolves, once the
   * stream is open, with the function that unregisters it. Events the engine emits after this
   * resolves are delivered. Rejects (and unregisters) when the engine cannot be reached.
   */
  async watch(containerId: string, listener: EventListener): Promise<() => void> {
    let set = this.watchers.get(containerId);
    if (set === undefined) this.watchers.set(containerId, (set = new Set()));
    set.add(listener);
    this.watcherCount++;
    let removed = false;
    const unwatch = (): void => {
      if (removed) return;
      removed = true;
      const s = this.watchers.get(containerId);
      if (s?.delete(listener) === true) {
        this.watcherCount--;
        if (s.size === 0) this.watchers.delete(containerId);
      }
      if (this.watcherCount === 0) this.disconnect();
    };
    try {
      await this.connect();
    } catch (e) {
      unwatch();
      throw e;
    }
    return unwatch;
  }

  /** Closes the stream and drops every watcher (they are not told). */
  close(): void {
    this.watchers.clear();
    this.watcherCount = 0;
    this.disconnect();
  }

  private connect(): Promise<void> {
    if (this.connection !== undefined) return this.connection.ready;
    const abort = new AbortController();
    const ready = this.open(abort);
    const connection = { abort, ready };
    this.connection = connection;
    ready.catch(() => {
      if (this.connection === connection) this.connection = undefined;
    });
    return ready;
  }

  private async open(abort: AbortController): Promise<void> {
    const stream = await this.engine.events([`${DOCKER_LABELS.scope}=${this.scope}`], abort.signal);
    if (abort.signal.aborted) {
      stream.destroy();
      return;
    }
    this.retryMs = 0;
    this.consume(stream, abort);
  }

  private consume(stream: Readable, abort: AbortController): void {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line !== '') this.dispatch(line);
      }
      if (pending.length > MAX_LINE_BYTES) pending = '';
    });
    let ended = false;
    const end = (err?: unknown): void => {
      if (ended) return;
      ended = true;
      stream.destroy();
      if (abort.signal.aborted) return;
      this.logger?.debug?.('docker event stream ended', { scope: this.scope, ...(err !== undefined ? { error: engineFailure(err).message } : {}) });
      this.connection = undefined;
      if (this.watcherCount > 0) this.scheduleReconnect();
    };
    stream.on('error', end);
    stream.on('end', () => end());
    stream.on('close', () => end());
  }

  private dispatch(line: string): void {
    let raw: { Type?: unknown; Action?: unknown; status?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> } };
    try {
      raw = JSON.parse(line) as typeof raw;
    } catch {
      return;
    }
    if (raw.Type !== undefined && raw.Type !== 'container') return;
    const containerId = raw.Actor?.ID;
    const action = typeof raw.Action === 'string' ? raw.Action : raw.status;
    if (typeof containerId !== 'string' || typeof action !== 'string') return;
    const listeners = this.watchers.get(containerId);
    if (listeners === undefined) return;
    const code = Number(raw.Actor?.Attributes?.exitCode);
    const event: ContainerEvent = { action, containerId, ...(action === 'die' && Number.isInteger(code) ? { exitCode: code } : {}) };
    for (const l of [...listeners]) l(event);
  }

  private scheduleReconnect(): void {
    if (this.retryTimer !== undefined) return;
    this.retryMs = this.retryMs === 0 ? FIRST_RETRY_MS : Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.watcherCount === 0) return;
      this.connect().then(
        () => this.resyncAll(),
        (err: unknown) => {
          this.logger?.warn?.('reconnecting to the docker event stream failed; retrying', { scope: this.scope, error: engineFailure(err).message, retryIn: this.retryMs });
          if (this.watcherCount > 0) this.scheduleReconnect();
        },
      );
    }, this.retryMs);
  }

  private resyncAll(): void {
    for (const set of [...this.watchers.values()]) for (const l of [...set]) l('resync');
  }

  private disconnect(): void {
    if (this.retryTimer !== undefined) {
      this.clock.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    const c = this.connection;
    this.connection = undefined;
    c?.abort.abort();
  }
}
