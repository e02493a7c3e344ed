import { describe, expect, it } from 'vitest';
import { UPDATE_COMPLETED_MESSAGE, UPDATE_IN_PROGRESS_MESSAGE } from '../../../src/orchestrator/update/index.js';
import { runnableSlots } from './support/fake-orchestrator.js';
import { fakeNode } from './support/fake-pipeline.js';
import { SERVICE_ID, Scenario } from './support/harness.js';

describe('update status', () => {
  it('goes from none to updating to completed, with startedAt and completedAt', async () => {
    const s = await Scenario.create({ replicas: 2 });
    expect(s.service().updateStatus).toBeUndefined();
    const history = s.statusHistory();
    const at = s.clock.now();
    await s.setImage('app:2');
    await s.untilStatus('completed');
    expect(history.map((h) => [h.state, h.message])).toEqual([
      ['updating', UPDATE_IN_PROGRESS_MESSAGE],
      ['completed', UPDATE_COMPLETED_MESSAGE],
    ]);
    const status = s.service().updateStatus;
    expect(status?.startedAt).toBe(at);
    expect(status?.completedAt).toBe(history[1]?.at);
    expect(s.updates.isUpdating(SERVICE_ID)).toBe(false);
    await s.stop();
  });

  it('writes no status when no task needs replacing (a replica count change)', async () => {
    const s = await Scenario.create({ replicas: 2 });
    await s.update((spec) => ({ ...spec, mode: { replicated: { replicas: 3 } } }));
    await s.until(() => s.running().length === 3, '1m');
    await s.clock.advanceAsync('10s');
    expect(s.service().updateStatus).toBeUndefined();
    expect(s.createdByUpdates()).toEqual([]);
    await s.stop();
  });
});

describe('a paused update', () => {
  it('stays paused when the orchestrator hands it over again, and resumes with a new spec', async () => {
    const s = await Scenario.create({ replicas: 3, behaviour: (t) => (t.spec.container.image === 'app:2' ? 'fail-on-start' : 'ok') });
    await s.setImage('app:2');
    await s.untilStatus('paused');
    const created = s.createdByUpdates().length;
    // The orchestrator reconciles again (e.g. after a leader change): nothing happens.
    const service = s.service();
    s.updates.update(service, s.store.view((tx) => runnableSlots(service, tx.tasks.find({ serviceId: SERVICE_ID }))));
    await s.clock.advanceAsync('1m');
    expect(s.createdByUpdates()).toHaveLength(created);
    expect(s.service().updateStatus?.state).toBe('paused');
    // A new spec clears the status and updates again.
    const history = s.statusHistory();
    await s.setImage('app:3');
    await s.untilStatus('completed');
    expect(history.map((h) => h.state)).toEqual([undefined, 'updating', 'completed']);
    expect(s.running('app:3')).toHaveLength(3);
    await s.stop();
  });
});

describe('a newer update', () => {
  it('cancels the running one: the old update creates no more tasks and the new one finishes the job', async () => {
    const s = await Scenario.create({ replicas: 4, update: { parallelism: 1, delay: '10s' } });
    await s.setImage('app:2');
    await s.until(() => s.running('app:2').length === 2, '2m');
    const v2Tasks = s.createdByUpdates('app:2').length;
    await s.setImage('app:3');
    await s.untilStatus('completed', '5m');
    expect(s.createdByUpdates('app:2')).toHaveLength(v2Tasks);
    expect(s.running('app:3')).toHaveLength(4);
    expect(s.service().specVersion).toBe(3);
    await s.stop();
  });

  it('is ignored when it is older than the running one', async () => {
    const s = await Scenario.create({ replicas: 2, update: { delay: '10s' } });
    const stale = s.service();
    await s.setImage('app:2');
    await s.until(() => s.updates.isUpdating(SERVICE_ID));
    s.updates.update(stale, []);
    await s.untilStatus('completed', '2m');
    expect(s.running('app:2')).toHaveLength(2);
    await s.stop();
  });
});

describe('cancel and stop', () => {
  it('cancel(serviceId) stops an update where it is', async () => {
    const s = await Scenario.create({ replicas: 3, update: { delay: '10s' } });
    await s.setImage('app:2');
    await s.until(() => s.running('app:2').length === 1, '1m');
    s.updates.cancel(SERVICE_ID);
    expect(s.updates.isUpdating(SERVICE_ID)).toBe(false);
    await s.clock.advanceAsync('2m');
    expect(s.createdByUpdates('app:2')).toHaveLength(1);
    expect(s.service().updateStatus?.state).toBe('updating');
    await s.stop();
  });

  it('stop() ends every update and refuses new ones', async () => {
    const s = await Scenario.create({ replicas: 3, update: { delay: '10s' } });
    await s.setImage('app:2');
    await s.until(() => s.running('app:2').length === 1, '1m');
    await s.updates.stop();
    await s.updates.stop();
    await s.setImage('app:3');
    await s.clock.advanceAsync('2m');
    expect(s.createdByUpdates()).toHaveLength(1);
    await s.stop();
  });
});

describe('a lost watch', () => {
  it('is re-established and re-read, so the update still completes', async () => {
    const debug: string[] = [];
    const idle = Array.from({ length: 100 }, (_, i) => ({ ...fakeNode(`idle${i}`), spec: { ...fakeNode(`idle${i}`).spec, availability: 'pause' as const } }));
    const s = await Scenario.create({ replicas: 2, nodes: [fakeNode('n1'), fakeNode('n2'), ...idle], watchBufferSize: 50, logger: { debug: (m) => debug.push(m) } });
    await s.setImage('app:2');
    await s.until(() => s.createdByUpdates('app:2').length === 1, '10s');
    // 100 node changes in one transaction overflow the supervisor's 50-event watch buffer.
    await s.store.update((tx) => {
      for (let i = 0; i < 100; i++) tx.nodes.update(`idle${i}`, (d) => void (d.spec.labels = { touched: 'yes' }));
    });
    await s.untilStatus('completed', '2m');
    expect(debug).toContain('update supervisor: watch ended; re-reading');
    expect(s.running('app:2')).toHaveLength(2);
    await s.stop();
  });
});
