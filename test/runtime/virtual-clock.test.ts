import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock, every } from '../../src/runtime/index.js';
import { InvalidStateError } from '../../src/errors/index.js';

describe('VirtualClock', () => {
  it('fires timers in due order, ties in creation order', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    clock.setTimeout(() => fired.push('d@0'), 0);
    clock.advance(20);
    expect(fired).toEqual(['d@0', 'a@10', 'b@20', 'c@20']);
  });

  it('runs a timer at its due time, not before, and reports that time from now()', () => {
    const clock = new VirtualClock({ start: 1000 });
    let firedAt = -1;
    clock.setTimeout(() => (firedAt = clock.now()), 1500);
    clock.advance(1499);
    expect(firedAt).toBe(-1);
    expect(clock.now()).toBe(2499);
    clock.advance(1);
    expect(firedAt).toBe(2500);
  });

  it('accepts Docker duration strings', () => {
    const clock = new VirtualClock();
    clock.advance('1m30s');
    expect(clock.now()).toBe(90_000);
  });

  it('fires timers scheduled during advance when they fall within it', () => {
    const clock = new VirtualClock();
    const times: number[] = [];
    clock.setTimeout(() => {
      times.push(clock.now());
      clock.setTimeout(() => times.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(times).toEqual([5, 10]);
  });

  it('does not fire a cleared timer', () => {
    const clock = new VirtualClock();
    let fired = false;
    const h = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(h);
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never goes backwards, whatever the sequence of advances and timers', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 50 })), { maxLength: 50 }), (ops) => {
        const clock = new VirtualClock();
        let last = clock.now();
        const seen: number[] = [];
        for (const [delay, step] of ops) {
          clock.setTimeout(() => seen.push(clock.now()), delay);
          clock.advance(step);
          expect(clock.now()).toBeGreaterThanOrEqual(last);
          last = clock.now();
        }
        clock.runUntilIdle();
        for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
      }),
    );
  });

  it('runUntilIdle fires everything and stops; a timer that re-arms forever is reported', () => {
    const clock = new VirtualClock({ maxTimersPerRun: 1000 });
    let n = 0;
    clock.setTimeout(() => n++, 100);
    clock.setTimeout(() => n++, 50_000);
    expect(clock.runUntilIdle()).toBe(2);
    expect(n).toBe(2);
    expect(clock.now()).toBe(50_000);

    const stop = every(clock, 10, () => undefined);
    expect(() => clock.runUntilIdle()).toThrow(InvalidStateError);
    stop();
  });

  it('advanceUntil stops as soon as the predicate holds', () => {
    const clock = new VirtualClock();
    let count = 0;
    const stop = every(clock, 100, () => count++);
    expect(clock.advanceUntil(() => count === 3)).toBe(true);
    expect(clock.now()).toBe(300);
    stop();
  });

  it('advanceUntil gives up at the timeout with time moved to the deadline', () => {
    const clock = new VirtualClock();
    const stop = every(clock, 100, () => undefined);
    expect(clock.advanceUntil(() => false, { timeout: '1s' })).toBe(false);
    expect(clock.now()).toBe(1000);
    stop();
  });

  it('advanceAsync lets promise callbacks run between timers', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
    const task = (async () => {
      await sleep(10);
      log.push(`woke@${clock.now()}`);
      await sleep(10);
      log.push(`woke@${clock.now()}`);
    })();
    await clock.advanceAsync(25);
    await task;
    expect(log).toEqual(['woke@10', 'woke@20']);
  });

  it('advanceUntilAsync waits for a promise chain driven by timers', async () => {
    const clock = new VirtualClock();
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
    let done = false;
    void (async () => {
      for (let i = 0; i < 5; i++) await sleep(1000);
      done = true;
    })();
    expect(await clock.advanceUntilAsync(() => done, { timeout: '1m' })).toBe(true);
    expect(clock.now()).toBe(5000);
  });
});

describe('VirtualClock.settle', () => {
  it('moves virtual time until the promise settles, without anyone calling advance', async () => {
    const clock = new VirtualClock();
    const sleep = (ms: number) => new Promise<void>((r) => clock.setTimeout(r, ms));
    const value = await clock.settle((async () => {
      await sleep(1000);
      await sleep(2000);
      return 'done';
    })());
    expect(value).toBe('done');
    expect(clock.now()).toBe(3000);
  });

  it('passes a rejection through', async () => {
    const clock = new VirtualClock();
    const failing = new Promise<void>((_, reject) => clock.setTimeout(() => reject(new Error('nope')), 10));
    await expect(clock.settle(failing)).rejects.toThrow('nope');
  });

  it('rejects with a TimeoutError naming what it waited for when the promise never settles', async () => {
    const clock = new VirtualClock();
    every(clock, 100, () => undefined);
    await expect(clock.settle(new Promise(() => undefined), { timeout: '5s', waitingFor: 'the moon' })).rejects.toThrow(
      'timed out after 5000 ms waiting for the moon',
    );
    expect(clock.now()).toBe(5000);
  });
});

describe('VirtualClock with many cancelled timers', () => {
  it('keeps firing the live ones in order after dropping thousands of cancelled ones', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const handles = Array.from({ length: 5000 }, (_, i) => clock.setTimeout(() => fired.push(i), 5000 - i));
    for (let i = 0; i < 5000; i++) if (i % 7 !== 0) clock.clearTimeout(handles[i] as (typeof handles)[number]);
    expect(clock.pendingTimers).toBe(Math.ceil(5000 / 7));
    clock.runUntilIdle();
    const expected = Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 7 === 0).reverse();
    expect(fired).toEqual(expected);
    expect(clock.pendingTimers).toBe(0);
  });

  it('releases a cancelled timer’s callback at once', () => {
    const clock = new VirtualClock();
    let calls = 0;
    const handle = clock.setTimeout(() => calls++, 10);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    clock.advance(20);
    expect(calls).toBe(0);
    expect(clock.nextTimerAt()).toBeUndefined();
  });
});
