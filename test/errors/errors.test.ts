import { describe, expect, it } from 'vitest';
import {
  FlotillaError,
  NameConflictError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
  isFlotillaError,
} from '../../src/errors/index.js';

describe('FlotillaError family', () => {
  it('carries a stable code, a cause and the subclass name', () => {
    const cause = new Error('disk full');
    const err = new NotFoundError('service', 'web', { cause });
    expect(err).toBeInstanceOf(FlotillaError);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.name).toBe('NotFoundError');
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('service "web" not found');
  });

  it('isFlotillaError tells library errors from others', () => {
    expect(isFlotillaError(new NameConflictError('network', 'appnet'))).toBe(true);
    expect(isFlotillaError(new Error('x'))).toBe(false);
    expect(isFlotillaError({ code: 'NOT_FOUND', message: 'x' })).toBe(false);
    expect(isFlotillaError(undefined)).toBe(false);
  });

  it('ValidationError lists every issue with its path', () => {
    const err = new ValidationError([
      { path: 'name', message: 'is required' },
      { path: 'task.container.image', message: 'is required' },
    ]);
    expect(err.code).toBe('VALIDATION');
    expect(err.issues).toHaveLength(2);
    expect(err.message).toBe('name: is required; task.container.image: is required');
  });

  it('VersionConflictError names the expected and current versions', () => {
    const err = new VersionConflictError('task', 'abc', 3, 5);
    expect(err.code).toBe('VERSION_CONFLICT');
    expect(err.expected).toBe(3);
    expect(err.actual).toBe(5);
  });
});
