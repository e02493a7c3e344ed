import { InvalidDurationError, ValidationError, type ValidationIssue } from '../errors/index.js';
import { parseDuration } from '../runtime/index.js';

/**
 * Collects the issues of one validation run, in the order they are found.
 *
 * @internal
 */
export class Issues {
  /** Every issue found so far. */
  readonly list: ValidationIssue[] = [];

  /** Records one issue. */
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  /** True when nothing has been recorded. */
  get empty(): boolean {
    return this.list.length === 0;
  }

  /** Throws one {@link ValidationError} carrying every recorded issue, if there is any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list);
  }
}

/** The path of field `key` inside the object at `path` (`a.b` style). @internal */
export function fieldPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The path of element `i` of the array at `path` (`a[0]` style). @internal */
export function elementPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/**
 * True for plain objects (object literals, `JSON.parse` results, `Object.create(null)`); false for
 * arrays, byte arrays, class instances such as `Map` or `Date`, and primitives.
 *
 * @internal
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/** Drops the properties whose value is `undefined`, so outputs carry only what is set. @internal */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

function rangeMessage(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
  if (min !== undefined) return `must be >= ${min}`;
  return `must be <= ${String(max)}`;
}

/** Bounds for {@link asInteger} and {@link asNumber}. @internal */
export interface Range {
  readonly min?: number;
  readonly max?: number;
}

/** A finite number within `range`, or an issue. @internal */
export function asNumber(issues: Issues, value: unknown, path: string, range: Range = {}): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.add(path, 'must be a finite number');
    return undefined;
  }
  if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    issues.add(path, rangeMessage(range.min, range.max));
    return undefined;
  }
  return value;
}

/** A safe integer within `range`, or an issue. @internal */
export function asInteger(issues: Issues, value: unknown, path: string, range: Range = {}): number | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    issues.add(path, 'must be an integer');
    return undefined;
  }
  return asNumber(issues, value, path, range);
}

/** A string, non-empty unless `allowEmpty`, or an issue. @internal */
export function asString(issues: Issues, value: unknown, path: string, allowEmpty = false): string | undefined {
  if (typeof value !== 'string') {
    issues.add(path, 'must be a string');
    return undefined;
  }
  if (!allowEmpty && value === '') {
    issues.add(path, 'must not be empty');
    return undefined;
  }
  return value;
}

/** A boolean, or an issue. @internal */
export function asBoolean(issues: Issues, value: unknown, path: string): boolean | undefined {
  if (typeof value !== 'boolean') {
    issues.add(path, 'must be a boolean');
    return undefined;
  }
  return value;
}

/** One of `allowed`, or an issue listing them. @internal */
export function asEnum<T extends string>(issues: Issues, value: unknown, path: string, allowed: readonly T[]): T | undefined {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    issues.add(path, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }
  return value as T;
}

/** A {@link Duration} in milliseconds, or the issue {@link parseDuration} reports. @internal */
export function asDuration(issues: Issues, value: unknown, path: string): number | undefined {
  try {
    return parseDuration(value as number | string, path);
  } catch (err) {
    if (err instanceof InvalidDurationError) {
      for (const issue of err.issues) issues.add(issue.path, issue.message);
      return undefined;
    }
    throw err;
  }
}

/** An array, or an issue. @internal */
export function asArray(issues: Issues, value: unknown, path: string): readonly unknown[] | undefined {
  if (!Array.isArray(value)) {
    issues.add(path, 'must be an array');
    return undefined;
  }
  return value;
}

/** An array of strings (non-empty ones unless `allowEmpty`); bad elements are issues and dropped. @internal */
export function asStringArray(issues: Issues, value: unknown, path: string, allowEmpty = false): string[] | undefined {
  const list = asArray(issues, value, path);
  if (list === undefined) return undefined;
  const out: string[] = [];
  list.forEach((item, i) => {
    const s = asString(issues, item, elementPath(path, i), allowEmpty);
    if (s !== undefined) out.push(s);
  });
  return out;
}

/**
 * A string-to-string map with non-empty keys, e.g. labels or driver options. Built with
 * `Object.fromEntries`, so a `__proto__` key stays an ordinary key.
 *
 * @internal
 */
export function asStringRecord(issues: Issues, value: unknown, path: string): Record<string, string> | undefined {
  if (!isRecord(value)) {
    issues.add(path, 'must be an object');
    return undefined;
  }
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k.trim() === '') {
      issues.add(path, 'keys must not be empty');
      continue;
    }
    const s = asString(issues, v, fieldPath(path, k), true);
    if (s !== undefined) entries.push([k, s]);
  }
  return Object.fromEntries(entries);
}

/**
 * A view of one input object: reads its own fields by name, treating `undefined` and `null` as
 * absent, and reports each issue at the field's full path.
 *
 * @internal
 */
export class Fields {
  constructor(
    /** Where issues go. */
    readonly issues: Issues,
    /** The object's own path. */
    readonly path: string,
    private readonly raw: Record<string, unknown>,
  ) {}

  /**
   * Reads `value` as an object whose fields are among `known`; each other field (unless its value
   * is `undefined`) is an `unknown field` issue. Returns `undefined` (after an issue) when `value` is not an object.
   */
  static of(issues: Issues, value: unknown, path: string, known: readonly string[]): Fields | undefined {
    if (!isRecord(value)) {
      issues.add(path, 'must be an object');
      return undefined;
    }
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined && !known.includes(key)) issues.add(fieldPath(path, key), 'unknown field');
    }
    return new Fields(issues, path, value);
  }

  /** The full path of `key`. */
  at(key: string): string {
    return fieldPath(this.path, key);
  }

  /** The field's value; `undefined` when absent or null. */
  get(key: string): unknown {
    if (!Object.prototype.hasOwnProperty.call(this.raw, key)) return undefined;
    const v = this.raw[key];
    return v === null ? undefined : v;
  }

  /** True when the field is set (not absent, undefined or null). */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Reports `is required` when the field is absent; returns whether it is present. */
  require(key: string): boolean {
    if (this.has(key)) return true;
    this.issues.add(this.at(key), 'is required');
    return false;
  }

  private read<T>(key: string, fn: (issues: Issues, value: unknown, path: string) => T | undefined): T | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : fn(this.issues, v, this.at(key));
  }

  /** An optional non-empty string (or possibly empty with `allowEmpty`). */
  string(key: string, allowEmpty = false): string | undefined {
    return this.read(key, (i, v, p) => asString(i, v, p, allowEmpty));
  }

  /** An optional integer within `range`. */
  integer(key: string, range: Range = {}): number | undefined {
    return this.read(key, (i, v, p) => asInteger(i, v, p, range));
  }

  /** An optional finite number within `range`. */
  number(key: string, range: Range = {}): number | undefined {
    return this.read(key, (i, v, p) => asNumber(i, v, p, range));
  }

  /** An optional boolean. */
  boolean(key: string): boolean | undefined {
    return this.read(key, asBoolean);
  }

  /** An optional member of `allowed`. */
  enumOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    return this.read(key, (i, v, p) => asEnum(i, v, p, allowed));
  }

  /** An optional duration, in milliseconds. */
  duration(key: string): number | undefined {
    return this.read(key, asDuration);
  }

  /** An optional array of strings. */
  strings(key: string, allowEmpty = false): string[] | undefined {
    return this.read(key, (i, v, p) => asStringArray(i, v, p, allowEmpty));
  }

  /** An optional string map (labels, options). */
  record(key: string): Record<string, string> | undefined {
    return this.read(key, asStringRecord);
  }

  /** An optional array, each element mapped by `fn` (elements it rejects are dropped). */
  list<T>(key: string, fn: (value: unknown, path: string, index: number) => T | undefined): T[] | undefined {
    const arr = this.read(key, asArray);
    if (arr === undefined) return undefined;
    const out: T[] = [];
    arr.forEach((item, i) => {
      const mapped = fn(item, elementPath(this.at(key), i), i);
      if (mapped !== undefined) out.push(mapped);
    });
    return out;
  }

  /** An optional nested object, read with `fn`. */
  object<T>(key: string, fn: (value: unknown, path: string) => T | undefined): T | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : fn(v, this.at(key));
  }
}

/**
 * The outcome of a `safeValidate…` call, as zod's `safeParse` returns it: the normalised value, or
 * every issue found.
 *
 * @public
 */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/**
 * Runs `check` with a fresh collector and turns its outcome into a {@link ValidationResult}; the
 * value is returned only when no issue was found.
 *
 * @internal
 */
export function runValidation<T>(check: (issues: Issues) => T | undefined): ValidationResult<T> {
  const issues = new Issues();
  const value = check(issues);
  if (!issues.empty || value === undefined) {
    if (issues.empty) issues.add('', 'invalid input');
    return { ok: false, issues: Object.freeze([...issues.list]) };
  }
  return { ok: true, value };
}

/** Returns the value of a successful result, or throws one {@link ValidationError} with every issue. @internal */
export function unwrap<T>(result: ValidationResult<T>): T {
  if (result.ok) return result.value;
  throw new ValidationError(result.issues);
}
