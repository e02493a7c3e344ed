import { describe, expect, it } from 'vitest';
import { safeValidateServiceSpecUpdate, validateServiceSpec, validateServiceSpecUpdate, type ServiceSpec } from '../../src/api/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { service } from './support/specs.js';

const current = validateServiceSpec(service({ mode: { replicated: { replicas: 2 } } }) as unknown as ServiceSpec);

describe('validateServiceSpecUpdate', () => {
  it('accepts a new image and a new replica count', () => {
    const next = validateServiceSpecUpdate(current, { ...current, mode: { replicated: { replicas: 5 } }, task: { container: { image: 'nginx:1.28' } } });
    expect(next.mode).toStrictEqual({ replicated: { replicas: 5 } });
    expect(next.task.container.image).toBe('nginx:1.28');
  });

  it('refuses to rename a service', () => {
    expect(safeValidateServiceSpecUpdate(current, { ...current, name: 'api' })).toEqual({
      ok: false,
      issues: [{ path: 'name', message: 'cannot change from "web" (services cannot be renamed)' }],
    });
  });

  it('refuses to change the mode kind, also to the default mode', () => {
    expect(safeValidateServiceSpecUpdate(current, { ...current, mode: { global: {} } })).toEqual({
      ok: false,
      issues: [{ path: 'mode', message: 'cannot change from replicated to global (a service\'s mode is fixed)' }],
    });
    const global = validateServiceSpec(service({ mode: { global: {} } }) as unknown as ServiceSpec);
    const { mode: _mode, ...noMode } = global;
    expect(safeValidateServiceSpecUpdate(global, noMode)).toEqual({
      ok: false,
      issues: [{ path: 'mode', message: 'cannot change from global to replicated (a service\'s mode is fixed)' }],
    });
  });

  it('reports update rules together with the spec rules', () => {
    expect(() => validateServiceSpecUpdate(current, { ...current, name: 'api', update: { parallelism: -1 } })).toThrow(
      expect.objectContaining({
        constructor: ValidationError,
        issues: [
          { path: 'name', message: 'cannot change from "web" (services cannot be renamed)' },
          { path: 'update.parallelism', message: 'must be >= 0' },
        ],
      }),
    );
  });
});
