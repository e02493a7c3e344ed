/*
 * Request/response and server push over an unreliable transport endpoint: request ids, deadlines,
 * retransmissions, deduplication, replies routed by id so clients and servers share an endpoint.
 */
export { RpcClient, DEFAULT_RPC_TIMEOUT_MS, DEFAULT_RPC_RETRIES, DEFAULT_MAX_PENDING_CALLS } from './client.js';
export type { RpcClientOptions, CallOptions, PushHandler } from './client.js';
export { RpcServer, DEFAULT_DEDUPE_WINDOW_MS, DEFAULT_MAX_DEDUPE_ENTRIES } from './server.js';
export type { RpcServerOptions, RpcContext, RpcHandler, RpcHandlerOptions, RpcServerStats } from './server.js';
export { RpcTimeoutError, RemoteError } from './errors.js';
export { RPC_PROTOCOL } from './messages.js';
export type { WireError, RpcRequestMessage, RpcResponseMessage, RpcPushMessage, RpcMessage } from './messages.js';
