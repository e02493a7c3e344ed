/**
 * Stable machine-readable codes carried by every {@link FlotillaError}.
 *
 * @public
 */
export type FlotillaErrorCode =
  | 'VALIDATION'
  | 'INVALID_DURATION'
  | 'INVALID_CONSTRAINT'
  | 'NOT_FOUND'
  | 'NAME_CONFLICT'
  | 'ALREADY_EXISTS'
  | 'VERSION_CONFLICT'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'NOT_LEADER'
  | 'QUORUM_LOST'
  | 'TRANSACTION_TOO_LARGE'
  | 'INVALID_STATE'
  | 'UNREACHABLE'
  | 'WATCH_OVERFLOW'
  | 'CORRUPTION'
  | 'PROPOSAL_LOST'
  | 'TASK_PREPARE_FAILED'
  | 'TASK_START_FAILED'
  | 'TASK_UNHEALTHY'
  | 'TASK_EXECUTION_FAILED';

/** Options accepted by every {@link FlotillaError} constructor. @public */
export interface FlotillaErrorOptions {
  /** The underlying error, if this one wraps another. */
  readonly cause?: unknown;
}

/**
 * Base class of every error Flotilla throws. Match on {@link FlotillaError.code}, which is stable
 * across releases, rather than on the message.
 *
 * @public
 */
export class FlotillaError extends Error {
  /** Stable machine-readable code. */
  readonly code: FlotillaErrorCode;

  constructor(code: FlotillaErrorCode, message: string, options?: FlotillaErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * True when `value` is a {@link FlotillaError}, also across duplicated copies of the package
 * (it checks a brand, not only the prototype chain).
 *
 * @public
 */
export function isFlotillaError(value: unknown): value is FlotillaError {
  if (value instanceof FlotillaError) return true;
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as { [BRAND]?: unknown })[BRAND] === true
  );
}

const BRAND = Symbol.for('flotilla.error');
Object.defineProperty(FlotillaError.prototype, BRAND, { value: true });
