import { describe, expect, it } from 'vitest';
import { validateServiceSpec } from '../../../src/api/index.js';
import type { Service } from '../../../src/api/index.js';
import { InvalidStateError } from '../../../src/errors/index.js';
import {
  MANUAL_ROLLBACK_MESSAGE,
  applyManualRollback,
  applyServiceUpdate,
  resolveUpdateConfig,
  writeServiceChange,
} from '../../../src/orchestrator/update/index.js';
import { Store } from '../../../src/store/index.js';
import { VirtualClock } from '../../../src/runtime/index.js';

const V1 = validateServiceSpec({ name: 'web', task: { container: { image: 'app:1' } } });
const V2 = validateServiceSpec({ name: 'web', task: { container: { image: 'app:2' } } });

function service(fields: Partial<Service> = {}): Service {
  return { id: 'svc1', meta: { version: 7, createdAt: 0, updatedAt: 0 }, spec: V1, specVersion: 4, ...fields };
}

describe('applyServiceUpdate', () => {
  it('keeps the old spec as previous, bumps the spec version and clears the update status', () => {
    const change = applyServiceUpdate(service({ updateStatus: { state: 'paused', message: 'x' } }), V2, 5000);
    expect(change).toEqual({ spec: V2, specVersion: 5, previousSpec: V1, previousSpecVersion: 4, updateStatus: undefined, jobStatus: undefined });
  });

  it('starts a new job iteration for jobs', () => {
    const job = validateServiceSpec({ name: 'batch', mode: { replicatedJob: { totalCompletions: 3 } }, task: { container: { image: 'job:1' } } });
    const next = { ...job, task: { ...job.task, forceUpdate: 1 } };
    const first = applyServiceUpdate(service({ spec: job }), next, 5000);
    expect(first.jobStatus).toEqual({ jobIteration: 1, lastExecution: 5000 });
    const second = applyServiceUpdate(service({ spec: next, jobStatus: { jobIteration: 3, lastExecution: 1 } }), job, 6000);
    expect(second.jobStatus).toEqual({ jobIteration: 4, lastExecution: 6000 });
  });

  it('does not change its input', () => {
    const s = Object.freeze(service());
    applyServiceUpdate(s, V2, 1);
    expect(s.spec).toBe(V1);
  });
});

describe('applyManualRollback', () => {
  it('swaps the spec and the previous spec and starts a rollback', () => {
    const change = applyManualRollback(service({ spec: V2, specVersion: 5, previousSpec: V1, previousSpecVersion: 4, updateStatus: { state: 'completed' } }), 9000);
    expect(change).toEqual({
      spec: V1,
      specVersion: 6,
      previousSpec: V2,
      previousSpecVersion: 5,
      updateStatus: { state: 'rollback_started', message: MANUAL_ROLLBACK_MESSAGE, startedAt: 9000 },
      jobStatus: undefined,
    });
  });

  it('refuses a service without a previous spec, naming it', () => {
    expect(() => applyManualRollback(service(), 1)).toThrow(InvalidStateError);
    expect(() => applyManualRollback(service(), 1)).toThrow(/service web \(svc1\) has no previous spec/);
  });
});

describe('writeServiceChange', () => {
  it('writes the change into the store, deleting the cleared fields', async () => {
    const clock = new VirtualClock();
    const store = new Store({ clock });
    await store.update((tx) => tx.services.create({ id: 'svc1', spec: V1, specVersion: 1, updateStatus: { state: 'paused' } }));
    await store.update((tx) => {
      const current = tx.services.getOrThrow('svc1');
      tx.services.update('svc1', (d) => writeServiceChange(d, applyServiceUpdate(current, V2, clock.now())));
    });
    const after = store.view((tx) => tx.services.getOrThrow('svc1'));
    expect(after.spec).toEqual(V2);
    expect(after.previousSpec).toEqual(V1);
    expect(after.specVersion).toBe(2);
    expect('updateStatus' in after).toBe(false);
    expect('jobStatus' in after).toBe(false);
  });
});

describe('resolveUpdateConfig', () => {
  it("fills Docker's defaults and picks the rollback config while rolling back", () => {
    const s = service({ spec: { ...V1, update: { parallelism: 0, delay: '10s' }, rollback: { order: 'start-first' } } });
    expect(resolveUpdateConfig(s, false)).toEqual({ parallelism: 0, delay: 10_000, failureAction: 'pause', monitor: 5000, maxFailureRatio: 0, order: 'stop-first' });
    expect(resolveUpdateConfig(s, true)).toEqual({ parallelism: 1, delay: 0, failureAction: 'pause', monitor: 5000, maxFailureRatio: 0, order: 'start-first' });
    expect(resolveUpdateConfig(service({ spec: { name: 'bare', task: V1.task } }), false).monitor).toBe(5000);
  });
});
