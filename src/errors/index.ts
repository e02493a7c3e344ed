export { FlotillaError, isFlotillaError } from './flotilla-error.js';
export type { FlotillaErrorCode, FlotillaErrorOptions } from './flotilla-error.js';
export {
  ValidationError,
  InvalidDurationError,
  InvalidConstraintError,
  NotFoundError,
  NameConflictError,
  AlreadyExistsError,
  VersionConflictError,
  TimeoutError,
  ClosedError,
  TransactionTooLargeError,
  InvalidStateError,
  WatchOverflowError,
  CorruptionError,
  QuorumLostError,
  ProposalLostError,
} from './families.js';
export type { ValidationIssue, ObjectKind } from './families.js';
