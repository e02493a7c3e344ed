import { describe, expect, it } from 'vitest';
import { cleanStatus } from '../../src/dispatcher/clean-status.js';

describe('cleanStatus', () => {
  it('takes a plain report of status fields as it is', () => {
    const report = { state: 'running', timestamp: 5, message: 'started', containerId: 'c1' };
    expect(cleanStatus(report)).toBe(report);
  });

  it('copies a report with other fields or wrongly typed optional ones, keeping only status fields', () => {
    const extra = { state: 'running', timestamp: 5, message: 'started', secret: 'x' };
    expect(cleanStatus(extra)).toEqual({ state: 'running', timestamp: 5, message: 'started' });
    expect(cleanStatus(extra)).not.toBe(extra);
    const typed = { state: 'failed', timestamp: 5, message: 'exited', err: 7, exitCode: 1 };
    expect(cleanStatus(typed)).toEqual({ state: 'failed', timestamp: 5, message: 'exited', exitCode: 1 });
    class Report {
      state = 'running';
      timestamp = 5;
      message = 'started';
    }
    const instance = new Report();
    expect(cleanStatus(instance)).not.toBe(instance);
  });

  it('refuses malformed reports and states an agent cannot report', () => {
    expect(cleanStatus({ state: 'running', timestamp: '5', message: '' })).toBeUndefined();
    expect(cleanStatus({ state: 'assigned', timestamp: 5, message: '' })).toBeUndefined();
    expect(cleanStatus(null)).toBeUndefined();
  });
});
