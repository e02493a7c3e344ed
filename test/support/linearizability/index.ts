/**
 * A linearizability checker for test histories: record what clients saw with
 * {@link HistoryRecorder}, then judge it against a sequential model with
 * {@link checkLinearizable} (Wing & Gong search with Lowe's memoisation, per-key partitioning) and
 * explain a failure with {@link describeViolation}.
 *
 * @packageDocumentation
 */
export { cas, history, r, w } from './builders.js';
export type { OpSpec } from './builders.js';
export { checkLinearizable } from './check.js';
export type { CheckOptions, CheckResult, CheckVerdict, Counterexample, PartitionResult } from './check.js';
export { describeViolation, formatOperation } from './describe.js';
export { generateLinearizableHistory, MAX_GENERATED_OPERATIONS } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { HistoryError, validateHistory } from './history.js';
export type { ClientId, History, HistoryIssue, OpKind, OpStatus, Operation, OperationCall } from './history.js';
export { HISTORY_FORMAT, HISTORY_VERSION, historyFromJSON, historyToJSON } from './history-json.js';
export type { HistoryJSON, OperationJSON } from './history-json.js';
export { kvModel } from './kv-model.js';
export type { KvState } from './kv-model.js';
export type { Model, StepResult } from './model.js';
export { HistoryRecorder } from './recorder.js';
export type { HistoryRecorderOptions } from './recorder.js';
export { registerModel, stepRegister } from './register-model.js';
export type { CasInput, RegisterModelOptions, RegisterValue } from './register-model.js';
export { MAX_CANDIDATES, searchPartition } from './search.js';
export type { SearchLimits, SearchOutcome } from './search.js';
export { witnessProblems } from './witness.js';
export { MAX_BRUTE_FORCE_OPERATIONS, bruteForceLinearizable } from './reference.js';
export { UNOBSERVED, simplifyRegisterOps } from './unobserved.js';
