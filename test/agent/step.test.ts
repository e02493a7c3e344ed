import { describe, expect, it } from 'vitest';
import { exitStatus, nextStep, stepFailed, stepSucceeded } from '../../src/agent/index.js';
import type { TaskState } from '../../src/api/index.js';
import { ControllerError } from '../../src/executor/index.js';

const kind = (state: TaskState, desired: TaskState): string => {
  const a = nextStep(state, desired);
  return a.kind === 'advance' ? `advance ${a.state}` : a.kind;
};

describe('The task stepper', () => {
  it('walks a task desired running through every state', () => {
    expect(kind('assigned', 'running')).toBe('advance accepted');
    expect(kind('accepted', 'running')).toBe('advance preparing');
    expect(kind('preparing', 'running')).toBe('prepare');
    expect(kind('ready', 'running')).toBe('advance starting');
    expect(kind('starting', 'running')).toBe('start');
    expect(kind('running', 'running')).toBe('wait');
    expect(stepSucceeded('prepare')).toEqual({ state: 'ready', message: 'prepared' });
    expect(stepSucceeded('start')).toEqual({ state: 'running', message: 'started' });
  });

  it('pauses before the desired state on the pause transitions only', () => {
    expect(kind('ready', 'ready')).toBe('none');
    expect(kind('assigned', 'assigned')).toBe('none');
    expect(kind('accepted', 'accepted')).toBe('none');
    // preparing, starting and running proceed past the desired state
    expect(kind('preparing', 'accepted')).toBe('prepare');
    expect(kind('starting', 'ready')).toBe('start');
    expect(kind('running', 'ready')).toBe('wait');
    // a job desired complete runs like a service
    expect(kind('ready', 'complete')).toBe('advance starting');
  });

  it('shuts down any live task desired shutdown or later, and leaves terminal tasks alone', () => {
    for (const state of ['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running'] as const) {
      expect(kind(state, 'shutdown')).toBe('shutdown');
      expect(kind(state, 'remove')).toBe('shutdown');
    }
    for (const state of ['complete', 'shutdown', 'failed', 'rejected', 'orphaned'] as const) expect(kind(state, 'running')).toBe('none');
    expect(stepSucceeded('shutdown')).toEqual({ state: 'shutdown', message: 'shutdown' });
  });

  it('turns an exit into complete or failed, with Docker’s message', () => {
    expect(exitStatus({ exitCode: 0 }, 7)).toEqual({ state: 'complete', timestamp: 7, message: 'finished', exitCode: 0 });
    expect(exitStatus({ exitCode: 3 }, 7)).toEqual({ state: 'failed', timestamp: 7, message: 'task: non-zero exit (3)', err: 'task: non-zero exit (3)', exitCode: 3 });
    expect(exitStatus({ exitCode: 137, message: 'OOM killed', oomKilled: true }, 7)).toMatchObject({ state: 'failed', err: 'OOM killed', exitCode: 137 });
  });

  it('rejects before starting, fails at or after it, and retries temporary errors while retries are left', () => {
    const fatal = new ControllerError('TASK_PREPARE_FAILED', 'no such image');
    const temporary = new ControllerError('TASK_PREPARE_FAILED', 'registry timeout', { temporary: true });
    expect(stepFailed('preparing', fatal, 1, 10)).toEqual({ kind: 'end', status: { state: 'rejected', timestamp: 1, message: 'no such image', err: 'no such image' } });
    expect(stepFailed('starting', fatal, 1, 10)).toMatchObject({ kind: 'end', status: { state: 'failed' } });
    expect(stepFailed('running', new Error('boom'), 1, 10)).toMatchObject({ kind: 'end', status: { state: 'failed', err: 'boom' } });
    expect(stepFailed('preparing', temporary, 1, 3)).toEqual({ kind: 'retry' });
    expect(stepFailed('preparing', temporary, 1, 0)).toMatchObject({ kind: 'end', status: { state: 'rejected' } });
  });
});
