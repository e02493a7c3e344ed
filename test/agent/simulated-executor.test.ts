import { describe, expect, it } from 'vitest';
import { SimulatedExecutor } from '../../src/executor/simulated/index.js';
import { Harness } from './support/harness.js';

describe('Agent with the SimulatedExecutor', () => {
  it('runs, completes, fails and shuts down simulated containers', async () => {
    const h = new Harness({ seed: 9 });
    await h.addNode('n1');
    const executor = new SimulatedExecutor({ clock: h.clock, random: h.random.fork('exec'), hostname: 'n1', resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 } });
    h.startAgent('n1', executor);
    await h.until(() => h.store.view((tx) => tx.nodes.get('n1')?.status.state) === 'ready', 10_000);
    expect(h.store.view((tx) => tx.nodes.get('n1')?.description?.hostname)).toBe('n1');
    await h.assign('server', 'n1', { container: { image: 'nginx:1.27', stopGracePeriod: '2s' } });
    await h.assign('ok', 'n1', { container: { image: 'busybox', command: ['sh', '-c', 'sleep 5'] } });
    await h.assign('bad', 'n1', { container: { image: 'busybox', command: ['sh', '-c', 'sleep 2; exit 3'] } });
    await h.until(() => h.state('ok') === 'complete' && h.state('bad') === 'failed', 60_000);
    expect(h.status('bad')).toMatchObject({ exitCode: 3, message: 'task: non-zero exit (3)' });
    expect(h.state('server')).toBe('running');
    await h.store.update((tx) => tx.tasks.update('server', (t) => void (t.desiredState = 'shutdown')));
    await h.until(() => h.state('server') === 'shutdown', 10_000);
    await h.stop();
  });

  it('adopts running simulated containers after an agent restart', async () => {
    const h = new Harness({ seed: 10 });
    await h.addNode('n1');
    const executor = new SimulatedExecutor({ clock: h.clock, random: h.random.fork('exec'), hostname: 'n1', resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 } });
    const first = h.startAgent('n1', executor);
    await h.assign('server', 'n1');
    await h.until(() => h.state('server') === 'running', 10_000);
    const containerId = h.status('server')?.containerId;
    await first.stop();
    const second = h.startAgent('n1', executor);
    await h.until(() => second.stats().fullSets === 1, 10_000);
    await h.clock.advanceAsync(5_000);
    expect(h.state('server')).toBe('running');
    expect(executor.containers().filter((c) => c.taskId === 'server')).toHaveLength(1);
    expect(executor.containers()[0]?.containerId).toBe(containerId);
    await h.stop();
  });
});
