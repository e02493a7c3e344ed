/**
 * Plain data to JSON text and back, keeping what JSON alone loses: `Uint8Array` (secret and config
 * data) becomes `{"$bytes":"<base64>"}`, a non-finite number or -0 `{"$num":"NaN"}`. A plain object
 * whose only key happens to be a tag is escaped as `{"$obj":{…}}`, so any data round-trips.
 * Properties set to `undefined` are dropped, as JSON does. Anything else that is not plain data
 * (functions, bigints, class instances such as `Date` or `Map`) is refused.
 */
import { CorruptionError, ValidationError } from '../errors/index.js';

const TAGS = new Set(['$bytes', '$num', '$obj']);

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Turns plain data into a JSON-safe value. @internal */
export function toJsonValue(value: unknown, path = ''): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? value : { $num: Object.is(value, -0) ? '-0' : String(value) };
  if (typeof value !== 'object') throw new ValidationError([{ path, message: `cannot encode a ${typeof value}` }]);
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map((v, i) => (v === undefined ? null : toJsonValue(v, `${path}[${i}]`)));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new ValidationError([{ path, message: 'only plain objects, arrays and Uint8Array can be encoded' }]);
  const out: Record<string, unknown> = {};
  let keys = 0;
  let lastKey = '';
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    setOwn(out, k, toJsonValue(v, path === '' ? k : `${path}.${k}`));
    keys++;
    lastKey = k;
  }
  return keys === 1 && TAGS.has(lastKey) ? { $obj: out } : out;
}

/** The inverse of {@link toJsonValue}. @internal */
export function fromJsonValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(fromJsonValue);
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const tag = keys[0] as string;
    const inner = obj[tag];
    if (tag === '$bytes' && typeof inner === 'string') return new Uint8Array(Buffer.from(inner, 'base64'));
    if (tag === '$num' && typeof inner === 'string') return Number(inner);
    if (tag === '$obj' && typeof inner === 'object' && inner !== null && !Array.isArray(inner)) return decodeEntries(inner as Record<string, unknown>);
    if (TAGS.has(tag)) throw new CorruptionError(`malformed ${tag} value`);
  }
  return decodeEntries(obj);
}

function decodeEntries(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) setOwn(out, k, fromJsonValue(v));
  return out;
}

/**
 * Sets an own property, also for the key `__proto__`, which plain assignment would take as the
 * object's prototype (losing the entry, or worse, giving the object another prototype).
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

/** Plain data to UTF-8 JSON bytes. @internal */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(toJsonValue(value)));
}

/** UTF-8 JSON bytes to plain data; throws `CorruptionError` on anything unreadable. @internal */
export function decodeJson(bytes: Uint8Array, what: string): unknown {
  let text: string;
  let parsed: unknown;
  try {
    text = decoder.decode(bytes);
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CorruptionError(`${what} is not valid UTF-8 JSON`, { cause: err });
  }
  return fromJsonValue(parsed);
}

/** One line of JSON per value, newline-terminated (JSON text never holds a raw newline). @internal */
export function encodeLines(values: Iterable<unknown>): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const newline = encoder.encode('\n');
  for (const value of values) {
    const chunk = encodeJson(value);
    chunks.push(chunk, newline);
    total += chunk.length + 1;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The values of {@link encodeLines}, one at a time, so huge inputs never become one string. @internal */
export function* decodeLines(bytes: Uint8Array, what: string): IterableIterator<unknown> {
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end > start) yield decodeJson(bytes.subarray(start, end), what);
    start = end + 1;
  }
}
