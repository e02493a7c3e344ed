import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/runtime/index.js';
import { InvalidDurationError, isFlotillaError } from '../../src/errors/index.js';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1h2m3.5s', 3_723_500],
    ['1.5h', 5_400_000],
    ['1m30s', 90_000],
    ['300us', 0.3],
    ['300µs', 0.3],
    ['1500ns', 0.0015],
    ['0', 0],
    ['0s', 0],
    ['.5s', 500],
    ['2h', 7_200_000],
  ])('reads the Docker duration %s as %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it('takes a number as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it.each([
    ['10', 'missing or unknown unit'],
    ['10x', 'missing or unknown unit'],
    ['', 'is empty'],
    ['s', 'unexpected'],
    ['-5s', 'must not be negative'],
    ['1h 2m', 'unexpected'],
    ['abc', 'unexpected'],
  ])('rejects the malformed duration %j with a typed error naming the reason', (input, reason) => {
    let caught: unknown;
    try {
      parseDuration(input, 'update.delay');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidDurationError);
    expect(isFlotillaError(caught)).toBe(true);
    const err = caught as InvalidDurationError;
    expect(err.code).toBe('INVALID_DURATION');
    expect(err.issues[0]?.path).toBe('update.delay');
    expect(err.message).toContain(reason);
  });

  it('rejects negative, infinite and non-numeric numbers', () => {
    expect(() => parseDuration(-1)).toThrow(InvalidDurationError);
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(InvalidDurationError);
    expect(() => parseDuration(Number.NaN)).toThrow(InvalidDurationError);
    expect(() => parseDuration({} as unknown as string)).toThrow(InvalidDurationError);
  });
});

describe('formatDuration', () => {
  it.each([
    [90_000, '1m30s'],
    [3_723_500, '1h2m3.5s'],
    [500, '500ms'],
    [0, '0s'],
    [0.3, '300us'],
    [3_600_000, '1h0m0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration for whole milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
