import { FlotillaError } from '../../errors/index.js';
import { ControllerError, type ControllerErrorCode } from '../errors.js';

/** Socket-level error codes that mean the engine could not be reached (or dropped the call). */
const TRANSPORT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOENT',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EACCES',
]);

/**
 * What went wrong in one call to the engine, classified: the HTTP status when the engine answered
 * (`undefined` when it could not be reached), the engine's own message, and whether retrying the
 * same call may succeed.
 *
 * @internal
 */
export interface EngineFailure {
  readonly statusCode: number | undefined;
  readonly message: string;
  /** True when the engine could not be reached, or answered "unavailable" (503). */
  readonly temporary: boolean;
}

/**
 * Classifies anything a dockerode call rejected with. dockerode errors carry `statusCode` and the
 * engine's JSON body (`json.message`); transport errors carry a Node `code` (ECONNREFUSED...).
 *
 * @internal
 */
export function engineFailure(error: unknown): EngineFailure {
  if (error instanceof DockerEngineError) return { statusCode: error.statusCode, message: error.message, temporary: error.temporary };
  const e = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; json?: unknown; code?: unknown; message?: unknown; reason?: unknown };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const raw = typeof e.message === 'string' ? e.message : String(error);
  if (statusCode === undefined) {
    const code = typeof e.code === 'string' ? e.code : '';
    const transport = TRANSPORT_CODES.has(code) || /socket hang up|connect E|read E|write E/i.test(raw);
    return { statusCode, message: transport ? `Docker engine unreachable: ${raw}` : raw, temporary: transport };
  }
  return { statusCode, message: engineMessage(e.json) ?? stripPrefix(raw), temporary: statusCode === 503 };
}

/** The `message` of an engine's JSON error body (an object, a JSON string or a Buffer). */
function engineMessage(json: unknown): string | undefined {
  let body = json;
  if (body instanceof Uint8Array) body = Buffer.from(body).toString('utf8');
  if (typeof body === 'string') {
    const text = body.trim();
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return text === '' ? undefined : text;
    }
  }
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return ((body as { message: string }).message).trim();
  }
  return undefined;
}

/** dockerode prefixes messages with `(HTTP code 404) no such container - `; the rest is Docker's. */
function stripPrefix(message: string): string {
  return message.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
}

/** True when the engine answered 404 (no such container, image, ...). @internal */
export function isNotFound(error: unknown): boolean {
  return engineFailure(error).statusCode === 404;
}

/**
 * Wraps an engine failure as the {@link ControllerError} of a controller step: temporary when the
 * engine could not be reached, and carrying the engine's message verbatim (it ends up in the
 * task's status).
 *
 * @internal
 */
export function controllerError(code: ControllerErrorCode, error: unknown, context?: string): ControllerError {
  if (error instanceof ControllerError) return error;
  const f = engineFailure(error);
  return new ControllerError(code, context === undefined ? f.message : `${context}: ${f.message}`, { temporary: f.temporary, cause: error });
}

/** Options of {@link DockerEngineError}. @public */
export interface DockerEngineErrorOptions {
  /** The HTTP status the engine answered with; unset when it could not be reached. */
  readonly statusCode?: number;
  /** True when retrying may succeed (the engine was unreachable or unavailable). */
  readonly temporary?: boolean;
  /** The underlying error (dockerode's or the socket's). */
  readonly cause?: unknown;
}

/**
 * A call to the Docker engine failed outside a controller step (`describe`, `listTasks`, `logs`).
 * `code` is `UNREACHABLE` when the engine could not be reached, `INVALID_STATE` when it answered
 * with an error; the message is the engine's.
 *
 * @public
 */
export class DockerEngineError extends FlotillaError {
  /** The HTTP status the engine answered with; `undefined` when it could not be reached. */
  readonly statusCode: number | undefined;
  /** True when retrying may succeed. */
  readonly temporary: boolean;

  constructor(message: string, options: DockerEngineErrorOptions = {}) {
    super(options.statusCode === undefined ? 'UNREACHABLE' : 'INVALID_STATE', message, { cause: options.cause });
    this.statusCode = options.statusCode;
    this.temporary = options.temporary ?? options.statusCode === undefined;
  }
}

/** Wraps any engine failure as a {@link DockerEngineError}. @internal */
export function dockerEngineError(error: unknown, context: string): DockerEngineError {
  if (error instanceof DockerEngineError) return error;
  const f = engineFailure(error);
  return new DockerEngineError(`${context}: ${f.message}`, { ...(f.statusCode !== undefined ? { statusCode: f.statusCode } : {}), temporary: f.temporary, cause: error });
}
