import {
  FlotillaError,
  InvalidStateError,
  NotFoundError,
  TimeoutError,
  ValidationError,
  isFlotillaError,
  type FlotillaErrorCode,
  type ObjectKind,
  type ValidationIssue,
} from '../errors/index.js';
import { NotLeaderError } from '../raft/index.js';
import type { WireError } from './messages.js';

/**
 * A call got no answer in time (after its retransmissions). Names the method and the peer, so a
 * log line says which manager did not answer what.
 *
 * @public
 */
export class RpcTimeoutError extends TimeoutError {
  /** The method called. */
  readonly method: string;
  /** The address called. */
  readonly peer: string;
  constructor(method: string, peer: string, timeoutMs: number) {
    super(`a reply to ${method} from ${JSON.stringify(peer)}`, timeoutMs);
    this.method = method;
    this.peer = peer;
  }
}

/**
 * The server answered with an error the client has no class for. `code` is the remote code when
 * it is a Flotilla code (otherwise `INVALID_STATE`), `remoteName` and `remoteCode` say exactly
 * what the server threw.
 *
 * @public
 */
export class RemoteError extends FlotillaError {
  /** The class name of the error on the server. */
  readonly remoteName: string;
  /** The code the server reported, verbatim. */
  readonly remoteCode: string;
  /** The method that failed. */
  readonly method: string;
  /** The address that answered. */
  readonly peer: string;
  /** The error's plain-data fields, as the server sent them. */
  readonly data: Readonly<Record<string, unknown>>;
  constructor(error: WireError, method: string, peer: string) {
    super(isKnownCode(error.code) ? error.code : 'INVALID_STATE', `${method} on ${JSON.stringify(peer)} failed: ${error.message}`);
    this.remoteName = error.name;
    this.remoteCode = error.code;
    this.method = method;
    this.peer = peer;
    this.data = error.data ?? {};
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set([
  'VALIDATION',
  'INVALID_DURATION',
  'INVALID_CONSTRAINT',
  'NOT_FOUND',
  'NAME_CONFLICT',
  'ALREADY_EXISTS',
  'VERSION_CONFLICT',
  'TIMEOUT',
  'CLOSED',
  'NOT_LEADER',
  'QUORUM_LOST',
  'TRANSACTION_TOO_LARGE',
  'INVALID_STATE',
  'UNREACHABLE',
  'WATCH_OVERFLOW',
  'CORRUPTION',
  'PROPOSAL_LOST',
  'TASK_PREPARE_FAILED',
  'TASK_START_FAILED',
  'TASK_UNHEALTHY',
  'TASK_EXECUTION_FAILED',
] satisfies readonly FlotillaErrorCode[]);

function isKnownCode(code: string): code is FlotillaErrorCode {
  return KNOWN_CODES.has(code);
}

const SKIPPED_FIELDS = new Set(['name', 'code', 'message', 'stack', 'cause']);

/** Turns whatever a handler threw into plain data for the wire. @internal */
export function encodeError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', code: 'INTERNAL', message: String(error) };
  const code = isFlotillaError(error) ? error.code : 'INTERNAL';
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (!SKIPPED_FIELDS.has(key)) fields[key] = (error as unknown as Record<string, unknown>)[key];
  }
  let data: Record<string, unknown> | undefined;
  if (Object.keys(fields).length > 0) {
    try {
      data = JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
    } catch {
      data = undefined;
    }
  }
  return { name: error.name, code, message: error.message, ...(data !== undefined ? { data } : {}) };
}

/**
 * Rebuilds an error from the wire: an application decoder first, then the Flotilla errors a
 * caller may branch on (`NotLeaderError`, `NotFoundError`, `ValidationError`,
 * `InvalidStateError`), else a {@link RemoteError}.
 *
 * @internal
 */
export function decodeError(error: WireError, method: string, peer: string, custom?: (error: WireError) => Error | undefined): Error {
  const own = custom?.(error);
  if (own !== undefined) return own;
  const data = error.data ?? {};
  switch (error.name) {
    case 'NotLeaderError':
      return new NotLeaderError(typeof data['leader'] === 'string' ? data['leader'] : null);
    case 'NotFoundError':
      if (typeof data['kind'] === 'string' && typeof data['key'] === 'string') return new NotFoundError(data['kind'] as ObjectKind, data['key']);
      break;
    case 'ValidationError':
      if (Array.isArray(data['issues'])) return new ValidationError(data['issues'] as ValidationIssue[]);
      break;
    case 'InvalidStateError':
      return new InvalidStateError(error.message);
    default:
      break;
  }
  return new RemoteError(error, method, peer);
}
