import { ValidationError, type ValidationIssue } from '../errors/index.js';
import { parseDuration, type Duration } from '../runtime/index.js';

/**
 * How long a message takes on a link: `min + exponential(mean - min)`, capped at `max`.
 * A fixed latency is `{ min: d }` (the mean defaults to the minimum) or just the duration `d`.
 *
 * @public
 */
export interface LatencyOptions {
  /** The shortest latency. Default 0. */
  readonly min?: Duration;
  /** The mean latency; at least `min`. Default: `min` (a fixed latency). */
  readonly mean?: Duration;
  /** The longest latency; at least `min`. Default: unbounded. */
  readonly max?: Duration;
}

/**
 * Fault settings for the whole network ({@link InMemoryNetwork.configure}) or one directed link
 * ({@link InMemoryNetwork.setLink}). Every field is optional; fields left out keep their current
 * value (for a link: fall back to the network-wide value).
 *
 * Rates are probabilities in [0, 1], drawn independently for every message (duplicate: per
 * message; reorder: per copy).
 *
 * @public
 */
export interface FaultOptions {
  /** Latency of every copy; a duration means a fixed latency. */
  readonly latency?: Duration | LatencyOptions;
  /** Probability that a message is lost. */
  readonly dropRate?: number;
  /** Probability that a message that was not lost is delivered twice (each copy has its own latency). */
  readonly duplicateRate?: number;
  /**
   * Probability that a copy is held back by an extra delay, uniform in (0, `reorderDelay`], and
   * leaves the link's FIFO order, so later messages can overtake it.
   */
  readonly reorderRate?: number;
  /** The largest extra delay of a reordered copy. */
  readonly reorderDelay?: Duration;
}

/**
 * Fault settings in effect, durations in milliseconds: what {@link InMemoryNetwork.faults}
 * reports.
 *
 * @public
 */
export interface EffectiveFaults {
  /** Latency bounds and mean, in milliseconds (`max` may be `Infinity`). */
  readonly latency: { readonly min: number; readonly mean: number; readonly max: number };
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateRate: number;
  /** Probability that a copy is held back and may be overtaken. */
  readonly reorderRate: number;
  /** Largest extra delay of a reordered copy, in milliseconds. */
  readonly reorderDelay: number;
}

/**
 * Network-wide defaults: a latency of 1 ms plus an exponential tail with a 2 ms mean, no faults,
 * reordered copies held back by up to 10 ms.
 *
 * @public
 */
export const DEFAULT_FAULTS: EffectiveFaults = Object.freeze({
  latency: Object.freeze({ min: 1, mean: 2, max: Infinity }),
  dropRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderDelay: 10,
});

/**
 * Parses and validates fault options into a partial set of effective faults (only the fields
 * given), throwing one {@link ValidationError} with every issue found.
 *
 * @internal
 */
export function parseFaults(options: FaultOptions, path = ''): Partial<EffectiveFaults> {
  const issues: ValidationIssue[] = [];
  const at = (field: string): string => (path === '' ? field : `${path}.${field}`);
  const duration = (value: Duration, field: string): number | undefined => {
    try {
      return parseDuration(value, at(field));
    } catch (e) {
      if (e instanceof ValidationError) issues.push(...e.issues);
      else throw e;
      return undefined;
    }
  };
  const rate = (value: number | undefined, field: string): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      issues.push({ path: at(field), message: `must be a probability between 0 and 1, got ${String(value)}` });
      return undefined;
    }
    return value;
  };

  const out: { -readonly [K in keyof EffectiveFaults]?: EffectiveFaults[K] } = {};
  if (options.latency !== undefined) {
    const l = options.latency;
    if (typeof l === 'number' || typeof l === 'string') {
      const d = duration(l, 'latency');
      if (d !== undefined) out.latency = { min: d, mean: d, max: Infinity };
    } else {
      const min = l.min === undefined ? 0 : duration(l.min, 'latency.min');
      const mean = l.mean === undefined ? min : duration(l.mean, 'latency.mean');
      const max = l.max === undefined ? Infinity : duration(l.max, 'latency.max');
      if (min !== undefined && mean !== undefined && mean < min) {
        issues.push({ path: at('latency.mean'), message: `must be at least latency.min (${min} ms), got ${mean} ms` });
      } else if (min !== undefined && max !== undefined && max < min) {
        issues.push({ path: at('latency.max'), message: `must be at least latency.min (${min} ms), got ${max} ms` });
      } else if (min !== undefined && mean !== undefined && max !== undefined) {
        out.latency = { min, mean, max };
      }
    }
  }
  const dropRate = rate(options.dropRate, 'dropRate');
  if (dropRate !== undefined) out.dropRate = dropRate;
  const duplicateRate = rate(options.duplicateRate, 'duplicateRate');
  if (duplicateRate !== undefined) out.duplicateRate = duplicateRate;
  const reorderRate = rate(options.reorderRate, 'reorderRate');
  if (reorderRate !== undefined) out.reorderRate = reorderRate;
  if (options.reorderDelay !== undefined) {
    const d = duration(options.reorderDelay, 'reorderDelay');
    if (d !== undefined) out.reorderDelay = d;
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return out;
}
