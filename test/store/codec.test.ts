import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError } from '../../src/errors/index.js';
import { decodeJson, encodeJson } from '../../src/store/codec.js';

describe('store byte encoding', () => {
  it('round-trips any plain data with bytes, odd numbers and tag-like keys', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.uint8Array({ maxLength: 16 }),
      fc.constantFrom('$bytes', '$num', '$obj'),
    );
    const value = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('$bytes', '$num', '$obj')), tie('tree'), { maxKeys: 3 })),
    })).tree;
    fc.assert(
      fc.property(value, (v) => {
        const back = decodeJson(encodeJson(v), 'test');
        expect(back).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a key named __proto__ as data, never as a prototype', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}, "bytes": {"__proto__": [1]}}') as Record<string, unknown>;
    const withBytes = { ...v, raw: Object.defineProperty({}, '__proto__', { value: new Uint8Array([1, 2]), enumerable: true }) };
    const back = decodeJson(encodeJson(withBytes), 'test') as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'bytes', 'raw']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(back.raw as object, '__proto__')?.value).toEqual(new Uint8Array([1, 2]));
    expect((back as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('escapes an object whose only key is a tag', () => {
    const v = { $bytes: 'AAAA' };
    expect(decodeJson(encodeJson(v), 'test')).toEqual(v);
    expect(decodeJson(encodeJson({ $obj: { $num: 'NaN' } }), 'test')).toEqual({ $obj: { $num: 'NaN' } });
  });

  it('refuses what is not plain data', () => {
    expect(() => encodeJson({ when: new Date(0) })).toThrow(ValidationError);
    expect(() => encodeJson({ n: 1n })).toThrow(/bigint/);
    expect(() => encodeJson({ f: () => 1 })).toThrow(ValidationError);
  });
});
