import { ValidationError } from '../errors/index.js';
import type { Clock, Logger } from '../runtime/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { DedupeCache } from './dedupe.js';
import { encodeError } from './errors.js';
import { RPC_PROTOCOL, isRpcMessage, type RpcRequestMessage, type RpcResponseMessage } from './messages.js';

/** How long a server remembers a non-idempotent request, unless told otherwise: 60 s. @public */
export const DEFAULT_DEDUPE_WINDOW_MS = 60_000;

/** How many requests a server remembers at most, unless told otherwise: 100,000. @public */
export const DEFAULT_MAX_DEDUPE_ENTRIES = 100_000;

/** Options of {@link RpcServer}. @public */
export interface RpcServerOptions {
  /** The endpoint to serve on; it may be shared with clients and other protocols. */
  readonly endpoint: TransportEndpoint;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** How long a non-idempotent request is remembered (default {@link DEFAULT_DEDUPE_WINDOW_MS}). */
  readonly dedupeWindowMs?: number;
  /** Bound on remembered requests (default {@link DEFAULT_MAX_DEDUPE_ENTRIES}). */
  readonly maxDedupeEntries?: number;
}

/** What a handler learns about the call besides its body. @public */
export interface RpcContext {
  /** The caller's address (where the reply goes). */
  readonly from: string;
  readonly method: string;
  /** The request id. */
  readonly id: string;
}

/** Serves one method: returns (or resolves with) the reply body, or throws the error to send back. @public */
export type RpcHandler<Req = unknown, Res = unknown> = (body: Req, context: RpcContext) => Res | Promise<Res>;

/** Options of {@link RpcServer.handle}. @public */
export interface RpcHandlerOptions {
  /**
   * True when running the call twice does no harm (a heartbeat, a read). Other methods are
   * deduplicated: a request id seen within the window is answered with the remembered reply (or
   * not at all while the first run is still going) instead of running again. Default false.
   */
  readonly idempotent?: boolean;
}

/** Counters of an {@link RpcServer}. @public */
export interface RpcServerStats {
  /** Requests received for methods this server handles, duplicates included. */
  readonly requests: number;
  /** Requests answered from the dedupe cache or ignored because the first run was still going. */
  readonly duplicates: number;
  /** Handler runs. */
  readonly executed: number;
  /** Handler runs that ended in an error reply. */
  readonly errors: number;
  /** Pushes sent. */
  readonly pushes: number;
}

interface Registration {
  readonly handler: RpcHandler;
  readonly idempotent: boolean;
}

/**
 * The serving side of Flotilla's RPC layer: runs registered handlers for requests arriving on an
 * unreliable {@link TransportEndpoint} and sends their replies (or errors, as plain data) back to
 * the caller, and pushes one-way messages to clients.
 *
 * Requests for methods this server does not handle are ignored, so several servers with distinct
 * methods can share one endpoint (the caller of an unknown method times out). Non-idempotent
 * methods are deduplicated by request id for a bounded window (see
 * {@link RpcHandlerOptions.idempotent}), which makes the client's retransmissions safe.
 *
 * @example
 * ```ts
 * const server = new RpcServer({ endpoint, clock });
 * server.handle('ping', (body: { n: number }) => ({ n: body.n + 1 }), { idempotent: true });
 * ```
 * @public
 */
export class RpcServer {
  private readonly handlers = new Map<string, Registration>();
  private readonly dedupe: DedupeCache;
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  private counters = { requests: 0, duplicates: 0, executed: 0, errors: 0, pushes: 0 };

  constructor(private readonly options: RpcServerOptions) {
    const windowMs = options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
    const maxEntries = options.maxDedupeEntries ?? DEFAULT_MAX_DEDUPE_ENTRIES;
    if (!(windowMs > 0)) throw new ValidationError([{ path: 'dedupeWindowMs', message: 'must be a positive number' }]);
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new ValidationError([{ path: 'maxDedupeEntries', message: 'must be a positive integer' }]);
    this.dedupe = new DedupeCache(options.clock, windowMs, maxEntries);
    this.unsubscribe = options.endpoint.onMessage((message, from) => this.receive(message, from));
  }

  /**
   * Serves `method` with `handler` until the returned function is called (or the server closes).
   * Registering a method twice replaces the first handler.
   */
  handle<Req, Res>(method: string, handler: RpcHandler<Req, Res>, options: RpcHandlerOptions = {}): () => void {
    const registration: Registration = { handler: handler as RpcHandler, idempotent: options.idempotent === true };
    this.handlers.set(method, registration);
    return () => {
      if (this.handlers.get(method) === registration) this.handlers.delete(method);
    };
  }

  /** Sends a one-way message on `topic` to the client at `to`; false when it could not be sent. */
  push(to: string, topic: string, body: unknown): boolean {
    if (this.closed) return false;
    try {
      this.options.endpoint.send(to, { proto: RPC_PROTOCOL, type: 'push', topic, body });
      this.counters.pushes++;
      return true;
    } catch (err) {
      this.options.logger?.debug?.('rpc push failed', { to, topic, error: String(err) });
      return false;
    }
  }

  /** The server's counters. */
  stats(): RpcServerStats {
    return { ...this.counters };
  }

  /** Stops serving (replies of handlers still running are dropped); the endpoint stays open. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.handlers.clear();
    this.dedupe.clear();
  }

  private receive(message: unknown, from: string): void {
    if (this.closed || !isRpcMessage(message) || message.type !== 'request') return;
    const registration = this.handlers.get(message.method);
    if (registration === undefined) return;
    this.counters.requests++;
    if (registration.idempotent) {
      this.run(registration, message, from, undefined);
      return;
    }
    const key = `${from}\u0000${message.id}`;
    const seen = this.dedupe.lookup(key);
    if (seen !== undefined) {
      this.counters.duplicates++;
      if (seen.response !== undefined) this.reply(from, seen.response);
      return;
    }
    this.dedupe.begin(key);
    this.run(registration, message, from, key);
  }

  private run(registration: Registration, request: RpcRequestMessage, from: string, dedupeKey: string | undefined): void {
    this.counters.executed++;
    const context: RpcContext = { from, method: request.method, id: request.id };
    const finish = (response: RpcResponseMessage): void => {
      if (this.closed) return;
      if (dedupeKey !== undefined) this.dedupe.complete(dedupeKey, response);
      this.reply(from, response);
    };
    const fail = (error: unknown): void => {
      this.counters.errors++;
      finish({ proto: RPC_PROTOCOL, type: 'response', id: request.id, ok: false, error: encodeError(error) });
    };
    let result: unknown;
    try {
      result = registration.handler(request.body, context);
    } catch (err) {
      fail(err);
      return;
    }
    if (result instanceof Promise) {
      result.then((body: unknown) => finish({ proto: RPC_PROTOCOL, type: 'response', id: request.id, ok: true, body }), fail);
    } else {
      finish({ proto: RPC_PROTOCOL, type: 'response', id: request.id, ok: true, body: result });
    }
  }

  private reply(to: string, response: RpcResponseMessage): void {
    try {
      this.options.endpoint.send(to, response);
    } catch (err) {
      this.options.logger?.debug?.('rpc reply failed', { to, error: String(err) });
    }
  }
}
