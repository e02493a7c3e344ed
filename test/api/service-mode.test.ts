import { describe, expect, it } from 'vitest';
import { deepFreeze, isJob, serviceModeKind, validateServiceSpec } from '../../src/api/index.js';

describe('serviceModeKind and isJob', () => {
  it.each([
    [{}, 'replicated', false],
    [{ mode: { replicated: { replicas: 2 } } }, 'replicated', false],
    [{ mode: { global: {} } }, 'global', false],
    [{ mode: { replicatedJob: { maxConcurrent: 2 } } }, 'replicatedJob', true],
    [{ mode: { globalJob: {} } }, 'globalJob', true],
  ] as const)('%j is %s (job: %s)', (spec, kind, job) => {
    expect(serviceModeKind(spec)).toBe(kind);
    expect(isJob(spec)).toBe(job);
  });

  it('agrees with a validated spec', () => {
    const spec = validateServiceSpec({ name: 'batch', mode: { globalJob: {} }, task: { container: { image: 'busybox' } } });
    expect(serviceModeKind(spec)).toBe('globalJob');
    expect(isJob(spec)).toBe(true);
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays but leaves byte arrays alone', () => {
    const value = deepFreeze({ a: { b: [{ c: 1 }] }, data: new Uint8Array([1]) });
    expect(Object.isFrozen(value.a.b[0])).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.data)).toBe(false);
  });

  it('walks into an already-frozen shell and survives cycles', () => {
    const inner = { x: 1 };
    const shell = Object.freeze({ inner });
    deepFreeze(shell);
    expect(Object.isFrozen(inner)).toBe(true);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => deepFreeze(cyclic)).not.toThrow();
    expect(Object.isFrozen(cyclic)).toBe(true);
  });
});
