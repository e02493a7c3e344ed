/**
 * Receives one message: the message itself and the address of the endpoint that sent it.
 *
 * @public
 */
export type MessageHandler<M = unknown> = (message: M, from: string) => void;

/**
 * One node's attachment to a {@link Transport}: it sends datagrams to other addresses and receives
 * the ones addressed to it.
 *
 * Delivery semantics (the contract every transport keeps, and all a caller may rely on):
 *
 * - `send` is fire-and-forget. It never waits, never reports whether the message arrived and
 *   throws only for misuse (a closed endpoint, a message that is not plain data).
 * - A message may be delivered zero times (lost), once, or more than once (duplicated), after any
 *   delay, and in any order relative to other messages. Protocols on
 *   top (raft, request/response RPCs) must tolerate loss, duplication and reordering: raft by its
 *   terms and indexes, RPCs by request ids, timeouts and retries.
 * - A delivered message carries the sender's address as `from`; a reply goes to that address.
 * - Handlers run asynchronously with respect to `send` (never inside the `send` call), one message
 *   at a time, on the transport's clock.
 * - Messages are plain data (what `structuredClone` or JSON can carry: no functions, no class
 *   identity). A sender must not mutate a message after sending it, and a receiver must treat what
 *   it receives as read-only; a transport may or may not copy.
 * - After `close()`, nothing more is delivered to the endpoint; what it already sent may still
 *   arrive (it is "on the wire").
 *
 * @example
 * ```ts
 * const a = transport.endpoint('manager-1');
 * const stop = a.onMessage((msg, from) => a.send(from, { type: 'pong', re: msg }));
 * // ...
 * stop();
 * a.close();
 * ```
 * @public
 */
export interface TransportEndpoint<M = unknown> {
  /** The address other endpoints send to in order to reach this one. */
  readonly address: string;
  /** True once {@link TransportEndpoint.close} was called (or the transport was closed). */
  readonly closed: boolean;
  /**
   * Sends `message` to the endpoint at `to`, unreliably (see the delivery semantics above).
   * Sending to an address nobody listens on is not an error: the message is lost.
   *
   * @throws {@link ClosedError} when this endpoint (or its transport) is closed
   */
  send(to: string, message: M): void;
  /**
   * Calls `handler` for every message delivered to this endpoint from now on. Several handlers
   * may be registered; each sees every message, in registration order.
   *
   * @returns a function that removes the handler (calling it twice is harmless)
   * @throws {@link ClosedError} when this endpoint is closed
   */
  onMessage(handler: MessageHandler<M>): () => void;
  /** Stops receiving and frees the address for a new endpoint. Idempotent. */
  close(): void;
}

/**
 * Message passing between addressed endpoints: the only way Flotilla nodes talk to each other.
 * Raft peers exchange their messages (`{ to, from, ... }`) through it, and request/response RPCs
 * (dispatcher sessions, forwarding to the leader) are layered on top of it.
 *
 * Implementations: {@link InMemoryNetwork} (virtual, with fault injection); a TCP transport later.
 * See {@link TransportEndpoint} for the delivery semantics every implementation keeps.
 *
 * @public
 */
export interface Transport<M = unknown> {
  /**
   * Opens the endpoint for `address`. One open endpoint per address at a time; once closed, the
   * address may be opened again (a restarted node), and the new endpoint receives none of the
   * messages that were on their way to the old one.
   *
   * @throws {@link InvalidStateError} when `address` already has an open endpoint
   * @throws {@link ClosedError} when the transport is closed
   */
  endpoint(address: string): TransportEndpoint<M>;
  /** Closes every endpoint and stops all delivery. Idempotent. */
  close(): void;
}
