import type { DropReason } from './stats.js';

/**
 * Fields every {@link NetworkEvent} carries.
 *
 * @public
 */
export interface NetworkEventBase<M = unknown> {
  /** The network's sequence number of the `send` this event belongs to (1, 2, 3, ...). */
  readonly id: number;
  /** Clock time of the event, in milliseconds. */
  readonly at: number;
  /** Sender's address. */
  readonly from: string;
  /** Destination address. */
  readonly to: string;
  /** The message (the copy in flight, when the network copies messages). */
  readonly message: M;
}

/**
 * One step in the life of a message, for simulators that log or check traffic
 * ({@link InMemoryNetwork.onTrace}):
 *
 * - `send`: `send` was called (always the first event of an `id`);
 * - `schedule`: a copy was put in flight, due at `dueAt` (`duplicate` for the second copy,
 *   `reordered` when it was held back);
 * - `deliver`: a copy reached the destination endpoint (emitted just before its handlers run);
 * - `drop`: a copy was lost, with the reason; a message lost before any copy was scheduled has
 *   `duplicate: false`.
 *
 * @public
 */
export type NetworkEvent<M = unknown> =
  | (NetworkEventBase<M> & { readonly kind: 'send' })
  | (NetworkEventBase<M> & { readonly kind: 'schedule'; readonly dueAt: number; readonly duplicate: boolean; readonly reordered: boolean })
  | (NetworkEventBase<M> & { readonly kind: 'deliver'; readonly sentAt: number; readonly duplicate: boolean })
  | (NetworkEventBase<M> & { readonly kind: 'drop'; readonly reason: DropReason; readonly duplicate: boolean });

/**
 * Receives {@link NetworkEvent}s, synchronously, as they happen.
 *
 * @public
 */
export type NetworkTraceListener<M = unknown> = (event: NetworkEvent<M>) => void;
