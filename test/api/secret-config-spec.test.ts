import { describe, expect, it } from 'vitest';
import {
  MAX_CONFIG_SIZE,
  MAX_SECRET_SIZE,
  safeValidateConfigSpec,
  safeValidateSecretSpec,
  validateConfigSpec,
  validateSecretSpec,
  type SecretSpec,
} from '../../src/api/index.js';
import { ValidationError } from '../../src/errors/index.js';

const secretIssues = (input: unknown) => {
  const r = safeValidateSecretSpec(input);
  return r.ok ? [] : r.issues;
};
const configIssues = (input: unknown) => {
  const r = safeValidateConfigSpec(input);
  return r.ok ? [] : r.issues;
};
const bytes = (n: number) => new Uint8Array(n).fill(7);

describe('validateSecretSpec', () => {
  it('accepts a Buffer and returns a frozen spec with a private copy of the data', () => {
    const data = Buffer.from('abc123');
    const out = validateSecretSpec({ name: 'db_pass', labels: { env: 'prod' }, data });
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.isFrozen(out.labels)).toBe(true);
    expect(out.data).not.toBe(data);
    expect(Array.from(out.data)).toEqual(Array.from(data));
    data[0] = 0;
    expect(out.data[0]).toBe('a'.charCodeAt(0));
  });

  it('accepts data just under 500 KiB and rejects 500 KiB', () => {
    expect(MAX_SECRET_SIZE).toBe(512_000);
    expect(secretIssues({ name: 's', data: bytes(MAX_SECRET_SIZE - 1) })).toEqual([]);
    expect(secretIssues({ name: 's', data: bytes(MAX_SECRET_SIZE) })).toEqual([{ path: 'data', message: 'must be smaller than 500 KiB (512000 bytes)' }]);
  });

  it.each([
    ['data is required', { name: 's' }, 'data', 'is required'],
    ['data is bytes', { name: 's', data: 'abc' }, 'data', 'must be a Uint8Array'],
    ['data is not empty', { name: 's', data: new Uint8Array() }, 'data', 'must not be empty'],
    ['a name is required', { data: bytes(1) }, 'name', 'is required'],
    ['a name is at most 64 characters', { name: 'a'.repeat(65), data: bytes(1) }, 'name', 'must be at most 64 characters'],
    ['a name starts with a letter or digit', { name: '.env', data: bytes(1) }, 'name', 'must contain only letters, digits, "-", "_" and ".", starting and ending with a letter or digit'],
    ['a driver name is not empty', { name: 's', data: bytes(1), driver: '' }, 'driver', 'must not be empty'],
    ['unknown fields are issues', { name: 's', data: bytes(1), templating: 'golang' }, 'templating', 'unknown field'],
  ])('%s', (_rule, input, path, message) => {
    expect(secretIssues(input)).toEqual([{ path, message }]);
  });

  it('allows a secret from an external driver to carry no data', () => {
    expect(secretIssues({ name: 's', data: new Uint8Array(), driver: 'vault' })).toEqual([]);
  });

  it('allows dots in secret names, unlike service names', () => {
    expect(validateSecretSpec({ name: 'tls.key', data: bytes(1) }).name).toBe('tls.key');
  });

  it('throws one ValidationError listing every issue', () => {
    expect(() => validateSecretSpec({ name: '', data: 'x' } as unknown as SecretSpec)).toThrow(
      expect.objectContaining({
        constructor: ValidationError,
        issues: [
          { path: 'name', message: 'must not be empty' },
          { path: 'data', message: 'must be a Uint8Array' },
        ],
      }),
    );
  });
});

describe('validateConfigSpec', () => {
  it('accepts data just under 1000 KiB and rejects 1000 KiB', () => {
    expect(MAX_CONFIG_SIZE).toBe(1_024_000);
    expect(configIssues({ name: 'c', data: bytes(MAX_CONFIG_SIZE - 1) })).toEqual([]);
    expect(configIssues({ name: 'c', data: bytes(MAX_CONFIG_SIZE) })).toEqual([{ path: 'data', message: 'must be smaller than 1000 KiB (1024000 bytes)' }]);
  });

  it('rejects empty data and a driver field', () => {
    expect(configIssues({ name: 'c', data: new Uint8Array() })).toEqual([{ path: 'data', message: 'must not be empty' }]);
    expect(configIssues({ name: 'c', data: bytes(1), driver: 'x' })).toEqual([{ path: 'driver', message: 'unknown field' }]);
  });

  it('returns a frozen spec with copied data', () => {
    const data = bytes(3);
    const out = validateConfigSpec({ name: 'nginx.conf', data });
    expect(Object.isFrozen(out)).toBe(true);
    expect(out.data).not.toBe(data);
    expect(out).toStrictEqual({ name: 'nginx.conf', data: new Uint8Array([7, 7, 7]) });
  });
});
