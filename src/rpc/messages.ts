/**
 * The tag every RPC message carries, so the RPC layer can share an endpoint with other protocols
 * (the raft driver, other RPC users) and ignore what is not its own.
 *
 * @public
 */
export const RPC_PROTOCOL = 'flotilla.rpc';

/**
 * An error as it travels in a response: plain data, rebuilt into an `Error` by the caller.
 *
 * @public
 */
export interface WireError {
  /** The class name of the error on the server (e.g. `NotLeaderError`). */
  readonly name: string;
  /** Its stable code (a `FlotillaErrorCode` for Flotilla errors; `INTERNAL` for anything else). */
  readonly code: string;
  readonly message: string;
  /** The error's own plain-data fields (e.g. `leader`, `kind`, `key`, `issues`). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** A call: run `method` with `body` and answer to the sender. @public */
export interface RpcRequestMessage {
  readonly proto: typeof RPC_PROTOCOL;
  readonly type: 'request';
  /** Unique per client; a retransmission carries the same id. */
  readonly id: string;
  readonly method: string;
  readonly body: unknown;
}

/** The answer to a request, routed back to the caller by `id`. @public */
export type RpcResponseMessage =
  | { readonly proto: typeof RPC_PROTOCOL; readonly type: 'response'; readonly id: string; readonly ok: true; readonly body: unknown }
  | { readonly proto: typeof RPC_PROTOCOL; readonly type: 'response'; readonly id: string; readonly ok: false; readonly error: WireError };

/** A one-way message from a server to a client (e.g. assignment increments), not acknowledged. @public */
export interface RpcPushMessage {
  readonly proto: typeof RPC_PROTOCOL;
  readonly type: 'push';
  readonly topic: string;
  readonly body: unknown;
}

/** Every message the RPC layer sends. @public */
export type RpcMessage = RpcRequestMessage | RpcResponseMessage | RpcPushMessage;

/** True when `value` is an RPC message (anything else on the endpoint belongs to someone else). @internal */
export function isRpcMessage(value: unknown): value is RpcMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { proto?: unknown; type?: unknown };
  return m.proto === RPC_PROTOCOL && (m.type === 'request' || m.type === 'response' || m.type === 'push');
}
