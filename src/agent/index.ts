/*
 * The agent: a node's session with the dispatcher and one task runner per assigned task, driving
 * the executor's controllers through the task lifecycle.
 */
export { Agent, INITIAL_SESSION_BACKOFF_MS, MAX_SESSION_BACKOFF_MS } from './agent.js';
export type { AgentOptions, AgentStats } from './agent.js';
export { nextStep, stepSucceeded, stepFailed, exitStatus } from './step.js';
export type { StepAction, FailureOutcome } from './step.js';
