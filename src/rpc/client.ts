import { ClosedError, InvalidStateError, ValidationError } from '../errors/index.js';
import type { Clock, Logger, Random, TimerHandle } from '../runtime/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { RpcTimeoutError, decodeError } from './errors.js';
import { RPC_PROTOCOL, isRpcMessage, type RpcRequestMessage, type WireError } from './messages.js';

/** A call's reply deadline when neither the client nor the call sets one: 2 s. @public */
export const DEFAULT_RPC_TIMEOUT_MS = 2_000;

/** Retransmissions of a request before it times out, unless told otherwise: 3. @public */
export const DEFAULT_RPC_RETRIES = 3;

/** Calls one client may have waiting for replies at once, unless told otherwise: 10,000. @public */
export const DEFAULT_MAX_PENDING_CALLS = 10_000;

/** Options of {@link RpcClient}. @public */
export interface RpcClientOptions {
  /** The endpoint to send from; it may be shared with an `RpcServer` and other protocols. */
  readonly endpoint: TransportEndpoint;
  readonly clock: Clock;
  /** Source of the client's request-id prefix (so ids never repeat across restarts). */
  readonly random: Random;
  readonly logger?: Logger;
  /** Default reply deadline of a call, in milliseconds (default {@link DEFAULT_RPC_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
  /** Default retransmissions of a call (default {@link DEFAULT_RPC_RETRIES}). */
  readonly retries?: number;
  /** Bound on calls waiting for replies (default {@link DEFAULT_MAX_PENDING_CALLS}). */
  readonly maxPending?: number;
  /**
   * Rebuilds application errors from the wire before the built-in decoding runs; return
   * `undefined` to leave an error to it.
   */
  readonly decodeError?: (error: WireError) => Error | undefined;
}

/** Per-call options of {@link RpcClient.call}. @public */
export interface CallOptions {
  /** Reply deadline in milliseconds, over all transmissions. */
  readonly timeoutMs?: number;
  /**
   * Retransmissions of the request, spread evenly over the deadline. They carry the same request
   * id, so a server that deduplicates (every non-idempotent method) runs the call at most once.
   * 0 sends once.
   */
  readonly retries?: number;
}

interface PendingCall {
  readonly peer: string;
  readonly method: string;
  readonly message: RpcRequestMessage;
  readonly timeoutMs: number;
  readonly interval: number;
  readonly deadline: number;
  remaining: number;
  timer: TimerHandle | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A handler of server pushes on one topic. @public */
export type PushHandler = (body: unknown, from: string) => void;

function positive(value: number | undefined, fallback: number, path: string, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new ValidationError([{ path, message: `must be a ${allowZero ? 'non-negative' : 'positive'} number` }]);
  return v;
}

/**
 * The calling side of Flotilla's RPC layer: request/response over an unreliable
 * {@link TransportEndpoint}, with a deadline and retransmissions per call, replies routed by
 * request id (so a client and a server, and several clients, can share one endpoint), and
 * subscriptions to server pushes. Everything runs on the injected clock.
 *
 * Messages are tagged `{ proto: 'flotilla.rpc' }`; everything else on the endpoint is ignored.
 * A reply to a call that already finished (a duplicate, or one that lost the race with the
 * deadline) is dropped.
 *
 * @example
 * ```ts
 * const client = new RpcClient({ endpoint, clock, random });
 * const pong = await client.call<{ n: number }>('manager-1', 'ping', { n: 1 }, { timeoutMs: 500 });
 * ```
 * @public
 */
export class RpcClient {
  private readonly pendingCalls = new Map<string, PendingCall>();
  private readonly pushHandlers = new Map<string, PushHandler[]>();
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxPending: number;
  private counter = 0;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: RpcClientOptions) {
    this.prefix = options.random.id();
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_RPC_TIMEOUT_MS, 'timeoutMs');
    this.retries = Math.floor(positive(options.retries, DEFAULT_RPC_RETRIES, 'retries', true));
    this.maxPending = Math.floor(positive(options.maxPending, DEFAULT_MAX_PENDING_CALLS, 'maxPending'));
    this.unsubscribe = options.endpoint.onMessage((message, from) => this.receive(message, from));
  }

  /** Calls waiting for a reply. */
  get pending(): number {
    return this.pendingCalls.size;
  }

  /**
   * Calls `method` on the server at `peer` and resolves with its reply, or rejects with the
   * server's error (rebuilt: see {@link RpcClientOptions.decodeError}), an
   * {@link RpcTimeoutError} when no reply came in time, or `ClosedError` when the client closed.
   *
   * Rejects with `InvalidStateError` when {@link RpcClientOptions.maxPending} calls already wait,
   * and with `ValidationError` for a malformed option.
   */
  call<T>(peer: string, method: string, body: unknown, options: CallOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError('rpc client'));
    if (this.pendingCalls.size >= this.maxPending) {
      return Promise.reject(new InvalidStateError(`rpc client has ${this.pendingCalls.size} calls in flight (the limit); ${method} refused`));
    }
    let timeoutMs: number;
    let retries: number;
    try {
      timeoutMs = positive(options.timeoutMs, this.timeoutMs, 'timeoutMs');
      retries = Math.floor(positive(options.retries, this.retries, 'retries', true));
    } catch (err) {
      return Promise.reject(err);
    }
    const id = `${this.prefix}.${(++this.counter).toString(36)}`;
    const message: RpcRequestMessage = { proto: RPC_PROTOCOL, type: 'request', id, method, body };
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = {
        peer,
        method,
        message,
        timeoutMs,
        interval: timeoutMs / (retries + 1),
        deadline: this.options.clock.now() + timeoutMs,
        remaining: retries,
        timer: undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      this.pendingCalls.set(id, call);
      this.transmit(call);
    });
  }

  /**
   * Sends a request without waiting for its reply (the server's answer is dropped). For
   * best-effort notices such as closing a session on the way out.
   */
  notify(peer: string, method: string, body: unknown): void {
    if (this.closed) return;
    const id = `${this.prefix}.${(++this.counter).toString(36)}`;
    this.send(peer, { proto: RPC_PROTOCOL, type: 'request', id, method, body });
  }

  /** Calls `handler` for every push on `topic` from now on; returns a function that stops it. */
  onPush(topic: string, handler: PushHandler): () => void {
    this.pushHandlers.set(topic, [...(this.pushHandlers.get(topic) ?? []), handler]);
    return () => {
      const list = this.pushHandlers.get(topic) ?? [];
      const rest = list.filter((h) => h !== handler);
      if (rest.length === 0) this.pushHandlers.delete(topic);
      else this.pushHandlers.set(topic, rest);
    };
  }

  /** Fails every waiting call with `ClosedError` and stops listening; the endpoint stays open. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const calls = [...this.pendingCalls.values()];
    this.pendingCalls.clear();
    this.pushHandlers.clear();
    for (const call of calls) {
      if (call.timer !== undefined) this.options.clock.clearTimeout(call.timer);
      call.reject(new ClosedError('rpc client'));
    }
  }

  private transmit(call: PendingCall): void {
    this.send(call.peer, call.message);
    const now = this.options.clock.now();
    const last = call.remaining <= 0;
    const wait = last ? call.deadline - now : Math.min(call.interval, call.deadline - now);
    call.timer = this.options.clock.setTimeout(() => {
      call.timer = undefined;
      if (this.pendingCalls.get(call.message.id) !== call) return;
      if (call.remaining > 0 && this.options.clock.now() < call.deadline) {
        call.remaining--;
        this.transmit(call);
        return;
      }
      this.pendingCalls.delete(call.message.id);
      call.reject(new RpcTimeoutError(call.method, call.peer, call.timeoutMs));
    }, wait);
  }

  private send(peer: string, message: RpcRequestMessage): void {
    try {
      this.options.endpoint.send(peer, message);
    } catch (err) {
      // A closed endpoint: the call times out (or the owner closes the client).
      this.options.logger?.debug?.('rpc send failed', { peer, method: message.method, error: String(err) });
    }
  }

  private receive(message: unknown, from: string): void {
    if (!isRpcMessage(message)) return;
    if (message.type === 'response') {
      const call = this.pendingCalls.get(message.id);
      if (call === undefined || call.peer !== from) return;
      this.pendingCalls.delete(message.id);
      if (call.timer !== undefined) this.options.clock.clearTimeout(call.timer);
      if (message.ok) call.resolve(message.body);
      else call.reject(decodeError(message.error, call.method, from, this.options.decodeError));
      return;
    }
    if (message.type === 'push') {
      const handlers = this.pushHandlers.get(message.topic);
      if (handlers === undefined) return;
      for (const handler of handlers) {
        try {
          handler(message.body, from);
        } catch (err) {
          this.options.logger?.warn?.('rpc push handler threw', { topic: message.topic, error: String(err) });
        }
      }
    }
  }
}
