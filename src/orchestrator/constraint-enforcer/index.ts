/* The constraint enforcer: rejects tasks whose node no longer satisfies their constraints or reservations. */
export { ConstraintEnforcer, CONSTRAINT_ENFORCER_MESSAGE, CONSTRAINT_ENFORCER_ERRORS } from './constraint-enforcer.js';
export type { ConstraintEnforcerOptions } from './constraint-enforcer.js';
export { findNoncompliantTasks, isEnforceable } from './noncompliant.js';
export type { NoncompliantTask, NoncompliantReason } from './noncompliant.js';
