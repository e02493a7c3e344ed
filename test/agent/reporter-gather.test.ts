/** The reporter gathers states for a short window, so one message carries a node's progress. */
import { describe, expect, it } from 'vitest';
import { REPORT_GATHER_MS, StatusReporter } from '../../src/agent/reporter.js';
import type { TaskStatusUpdate } from '../../src/dispatcher/protocol.js';
import { VirtualClock } from '../../src/runtime/index.js';

describe('StatusReporter gathering', () => {
  it('sends the states reached within the window as one batch, the latest per task', async () => {
    const clock = new VirtualClock();
    const reporter = new StatusReporter(clock, 1_000);
    const batches: TaskStatusUpdate[][] = [];
    reporter.attach(async (updates) => {
      batches.push([...updates]);
    });
    reporter.report('t1', { state: 'ready', timestamp: 0, message: 'prepared' });
    clock.advance(REPORT_GATHER_MS / 2);
    reporter.report('t1', { state: 'starting', timestamp: 1, message: 'starting' });
    reporter.report('t2', { state: 'preparing', timestamp: 1, message: 'preparing' });
    expect(batches).toEqual([]);
    await clock.advanceAsync(REPORT_GATHER_MS);
    expect(batches.map((b) => b.map((u) => [u.taskId, u.status.state]))).toEqual([
      [
        ['t1', 'starting'],
        ['t2', 'preparing'],
      ],
    ]);
    await clock.runUntilIdleAsync();
    expect(reporter.size).toBe(0);
  });
});
