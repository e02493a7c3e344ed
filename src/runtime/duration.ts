import { InvalidDurationError } from '../errors/index.js';

/**
 * A duration: a number of milliseconds, or a Docker/Go duration string such as `'1h2m3.5s'`,
 * `'500ms'`, `'10s'` or `'1.5h'` (units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`).
 *
 * @public
 */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const COMPONENT = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Parses a {@link Duration} into milliseconds.
 *
 * Numbers must be finite and non-negative. Strings follow Go's `time.ParseDuration` (which Docker
 * uses): one or more decimal numbers each followed by a unit, e.g. `'1h2m3.5s'`; `'0'` alone is
 * allowed. Negative durations are rejected: no Flotilla setting takes one.
 *
 * @param value - the duration to parse
 * @param path - the field path to name in the error, if any
 * @throws {@link InvalidDurationError} when the value is malformed
 * @example
 * ```ts
 * parseDuration('1m30s'); // 90000
 * parseDuration(250);     // 250
 * ```
 * @public
 */
export function parseDuration(value: Duration, path = ''): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidDurationError(value, 'must be a finite number of milliseconds', path);
    if (value < 0) throw new InvalidDurationError(value, 'must not be negative', path);
    return value;
  }
  if (typeof value !== 'string') throw new InvalidDurationError(value, 'must be a number of milliseconds or a string like "10s"', path);
  let rest = value.trim();
  if (rest === '') throw new InvalidDurationError(value, 'is empty', path);
  if (rest.startsWith('-')) throw new InvalidDurationError(value, 'must not be negative', path);
  if (rest.startsWith('+')) rest = rest.slice(1);
  if (rest === '0') return 0;
  let total = 0;
  let seen = 0;
  while (rest.length > 0) {
    const m = COMPONENT.exec(rest);
    if (m === null) {
      const reason = /^\d/.test(rest) || rest.startsWith('.') ? 'missing or unknown unit (use ns, us, ms, s, m or h)' : `unexpected ${JSON.stringify(rest)}`;
      throw new InvalidDurationError(value, reason, path);
    }
    const amount = Number(m[1]);
    const unit = m[2] as string;
    total += amount * (UNIT_MS[unit] as number);
    rest = rest.slice(m[0].length);
    seen++;
  }
  if (seen === 0 || !Number.isFinite(total)) throw new InvalidDurationError(value, 'is out of range', path);
  // Round away floating-point noise below a nanosecond.
  return Math.round(total * 1e6) / 1e6;
}

/**
 * Formats milliseconds as a Go-style duration string, e.g. `90000` → `'1m30s'`, `1.5` → `'1.5ms'`.
 * `parseDuration(formatDuration(ms)) === ms` for every non-negative whole number of nanoseconds.
 *
 * @public
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidDurationError(ms, 'must be a finite, non-negative number');
  if (ms === 0) return '0s';
  if (ms < 1000) {
    if (ms >= 1) return `${trim(ms)}ms`;
    if (ms >= 1e-3) return `${trim(ms * 1e3)}us`;
    return `${trim(ms * 1e6)}ns`;
  }
  let out = '';
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  if (h > 0) {
    out += `${h}h`;
    rest -= h * 3_600_000;
  }
  const m = Math.floor(rest / 60_000);
  if (h > 0 || m > 0) {
    out += `${m}m`;
    rest -= m * 60_000;
  }
  out += `${trim(rest / 1000)}s`;
  return out;
}

function trim(n: number): string {
  return String(Math.round(n * 1e9) / 1e9);
}
