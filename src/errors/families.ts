import { FlotillaError, type FlotillaErrorOptions } from './flotilla-error.js';

/**
 * One problem found while validating input: where (`path`, dotted, e.g.
 * `task.resources.reservations.memoryBytes`) and why.
 *
 * @public
 */
export interface ValidationIssue {
  /** Dotted path of the offending field, relative to the validated object. */
  readonly path: string;
  /** Human-readable reason, e.g. `must be >= 4 MiB`. */
  readonly message: string;
}

/**
 * Input was rejected. Carries every issue found, not only the first, so a user can fix them all
 * in one go. Nothing was applied.
 *
 * @public
 */
export class ValidationError extends FlotillaError {
  /** Every issue found, in field order. */
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: FlotillaErrorOptions & { code?: 'VALIDATION' | 'INVALID_DURATION' | 'INVALID_CONSTRAINT' }) {
    super(
      options?.code ?? 'VALIDATION',
      issues.length === 0
        ? 'invalid input'
        : issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; '),
      options,
    );
    this.issues = Object.freeze([...issues]);
  }
}

/**
 * A duration was neither a non-negative number of milliseconds nor a Docker/Go duration string
 * such as `'1h2m3.5s'` or `'500ms'`.
 *
 * @public
 */
export class InvalidDurationError extends ValidationError {
  /** The value that could not be parsed. */
  readonly input: unknown;
  constructor(input: unknown, reason: string, path = '') {
    super([{ path, message: `invalid duration ${JSON.stringify(input)}: ${reason}` }], { code: 'INVALID_DURATION' });
    this.input = input;
  }
}

/**
 * A placement constraint expression could not be parsed (e.g. `node.labels.zone=a`).
 *
 * @public
 */
export class InvalidConstraintError extends ValidationError {
  /** The expression that could not be parsed. */
  readonly expression: string;
  constructor(expression: string, reason: string, path = '') {
    super([{ path, message: `invalid constraint ${JSON.stringify(expression)}: ${reason}` }], { code: 'INVALID_CONSTRAINT' });
    this.expression = expression;
  }
}

/** The object kinds held by the store; used by errors that name an object. @public */
export type ObjectKind = 'node' | 'service' | 'task' | 'network' | 'secret' | 'config' | 'cluster';

/** No object of that kind with that id or name exists. @public */
export class NotFoundError extends FlotillaError {
  /** The kind of object looked up. */
  readonly kind: ObjectKind;
  /** The id or name that was looked up. */
  readonly key: string;
  constructor(kind: ObjectKind, key: string, options?: FlotillaErrorOptions) {
    super('NOT_FOUND', `${kind} ${JSON.stringify(key)} not found`, options);
    this.kind = kind;
    this.key = key;
  }
}

/** Another object of the same kind already has that name (names are unique case-insensitively). @public */
export class NameConflictError extends FlotillaError {
  /** The kind of object. */
  readonly kind: ObjectKind;
  /** The conflicting name. */
  readonly objectName: string;
  constructor(kind: ObjectKind, name: string, options?: FlotillaErrorOptions) {
    super('NAME_CONFLICT', `${kind} name ${JSON.stringify(name)} is already in use`, options);
    this.kind = kind;
    this.objectName = name;
  }
}

/** An object with that id already exists. @public */
export class AlreadyExistsError extends FlotillaError {
  /** The kind of object. */
  readonly kind: ObjectKind;
  /** The id that already exists. */
  readonly id: string;
  constructor(kind: ObjectKind, id: string, options?: FlotillaErrorOptions) {
    super('ALREADY_EXISTS', `${kind} ${JSON.stringify(id)} already exists`, options);
    this.kind = kind;
    this.id = id;
  }
}

/**
 * An update named a version of the object that is no longer current: someone else changed it
 * first. Read the object again and retry.
 *
 * @public
 */
export class VersionConflictError extends FlotillaError {
  /** The kind of object. */
  readonly kind: ObjectKind;
  /** The object's id. */
  readonly id: string;
  /** The version the caller expected. */
  readonly expected: number;
  /** The object's current version. */
  readonly actual: number;
  constructor(kind: ObjectKind, id: string, expected: number, actual: number, options?: FlotillaErrorOptions) {
    super('VERSION_CONFLICT', `${kind} ${JSON.stringify(id)}: update out of sequence (expected version ${expected}, current ${actual})`, options);
    this.kind = kind;
    this.id = id;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A wait did not finish in time; the message says what it was waiting for. @public */
export class TimeoutError extends FlotillaError {
  /** What was being waited for. */
  readonly waitingFor: string;
  /** The timeout, in milliseconds. */
  readonly timeoutMs: number;
  constructor(waitingFor: string, timeoutMs: number, options?: FlotillaErrorOptions) {
    super('TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${waitingFor}`, options);
    this.waitingFor = waitingFor;
    this.timeoutMs = timeoutMs;
  }
}

/** The object (clock, store, cluster, network endpoint) was closed. @public */
export class ClosedError extends FlotillaError {
  constructor(what: string, options?: FlotillaErrorOptions) {
    super('CLOSED', `${what} is closed`, options);
  }
}

/** A transaction exceeds the size a single commit may have. @public */
export class TransactionTooLargeError extends FlotillaError {
  constructor(message: string, options?: FlotillaErrorOptions) {
    super('TRANSACTION_TOO_LARGE', message, options);
  }
}

/** An operation is not valid in the object's current state. @public */
export class InvalidStateError extends FlotillaError {
  constructor(message: string, options?: FlotillaErrorOptions) {
    super('INVALID_STATE', message, options);
  }
}

/**
 * A watcher fell too far behind: its bounded buffer filled, so the watch was ended with this
 * error instead of slowing writers down or growing without limit. Re-read the state and watch
 * again (e.g. with `viewAndWatch`).
 *
 * @public
 */
export class WatchOverflowError extends FlotillaError {
  /** The buffer bound that was exceeded. */
  readonly limit: number;
  constructor(limit: number, options?: FlotillaErrorOptions) {
    super('WATCH_OVERFLOW', `watcher fell more than ${limit} events behind and was closed; re-read and watch again`, options);
    this.limit = limit;
  }
}

/** Persistent data failed a checksum or is structurally broken somewhere other than a torn tail. @public */
export class CorruptionError extends FlotillaError {
  constructor(message: string, options?: FlotillaErrorOptions) {
    super('CORRUPTION', message, options);
  }
}

/**
 * A write could not be committed because the cluster has no quorum (no leader, or the leader
 * cannot reach a majority) within the proposal timeout. The write may still commit later if
 * quorum returns: its outcome is unknown, so read before retrying a non-idempotent change.
 *
 * @public
 */
export class QuorumLostError extends FlotillaError {
  constructor(message: string, options?: FlotillaErrorOptions) {
    super('QUORUM_LOST', message, options);
  }
}

/**
 * A proposal was definitely not committed: leadership changed and another entry took its place
 * in the log. It is safe to retry.
 *
 * @public
 */
export class ProposalLostError extends FlotillaError {
  constructor(message: string, options?: FlotillaErrorOptions) {
    super('PROPOSAL_LOST', message, options);
  }
}
