import { describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/runtime/index.js';

/** Resolves once every timer the clock holds has fired or been cancelled. */
async function drained(clock: SystemClock): Promise<void> {
  while (clock.pendingTimers > 0) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('SystemClock', () => {
  it('runs a zero-delay timer on the next turn of the event loop, in order with setImmediate, not after the 1 ms timer clamp', async () => {
    const clock = new SystemClock();
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      // From the check phase, a 1 ms-clamped timer would run only after this setImmediate.
      setImmediate(() => {
        clock.setTimeout(() => order.push('zero-delay timer'), 0);
        setImmediate(() => {
          order.push('setImmediate');
          resolve();
        });
      });
    });
    expect(order).toEqual(['zero-delay timer', 'setImmediate']);
  });

  it('treats negative and NaN delays as zero', async () => {
    const clock = new SystemClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(1), -5);
    clock.setTimeout(() => fired.push(2), Number.NaN);
    await drained(clock);
    expect(fired).toEqual([1, 2]);
  });

  it('cancels zero-delay and delayed timers alike, and ignores a handle that already fired', async () => {
    const clock = new SystemClock();
    const fired: string[] = [];
    const zero = clock.setTimeout(() => fired.push('zero'), 0);
    const later = clock.setTimeout(() => fired.push('later'), 5);
    const kept = clock.setTimeout(() => fired.push('kept'), 1);
    expect(clock.pendingTimers).toBe(3);
    clock.clearTimeout(zero);
    clock.clearTimeout(later);
    expect(clock.pendingTimers).toBe(1);
    await drained(clock);
    clock.clearTimeout(kept);
    expect(fired).toEqual(['kept']);
    expect(clock.pendingTimers).toBe(0);
  });
});
