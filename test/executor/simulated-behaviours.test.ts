/** Scripted behaviours: per executor, image, service and task id, overriding the command. */
import { describe, expect, it } from 'vitest';
import { ControllerError } from '../../src/executor/index.js';
import { rejectionOf, simNode, track } from './support.js';

describe('SimulatedExecutor behaviours', () => {
  it('takes exactly the scripted prepare and start latencies', async () => {
    const node = simNode('latency', { behaviours: { default: { prepareLatency: '2s', startLatency: 300 } } });
    const ctl = node.executor.controller(node.task({ container: { command: ['sleep', '1000'] } }));
    await node.settle(ctl.prepare());
    expect(node.elapsed()).toBe(2_000);
    await node.settle(ctl.start());
    expect(node.elapsed()).toBe(2_300);
  });

  it('pulls an image once per node: the first prepare pays the pull latency, later ones only creation', async () => {
    const node = simNode('pull', { pullLatency: '5s', createLatency: '100ms' });
    const a = node.executor.controller(node.task({ container: { command: ['true'] } }));
    await node.settle(a.prepare());
    expect(node.elapsed()).toBe(5_100);
    const b = node.executor.controller(node.task({ container: { image: 'busybox:latest', command: ['true'] } }));
    await node.settle(b.prepare());
    expect(node.elapsed()).toBe(5_200);
    const c = node.executor.controller(node.task({ container: { image: 'busybox:1.36', command: ['true'] } }));
    await node.settle(c.prepare());
    expect(node.elapsed()).toBe(10_300);
  });

  it('runFor and exitCode replace the command; exitCode alone exits at once', async () => {
    const node = simNode('run-for', { behaviours: { images: { busybox: { runFor: '10s', exitCode: 2 }, 'nginx:1.27': { exitCode: 9 } } } });
    const a = node.executor.controller(node.task({ container: { command: ['sleep', '1000'] } }));
    await node.settle(a.prepare());
    await node.settle(a.start());
    expect((await node.settle(a.wait())).exitCode).toBe(2);
    expect(node.elapsed()).toBe(10_000);
    const b = node.executor.controller(node.task({ container: { image: 'docker.io/library/nginx:1.27' } }));
    await node.settle(b.prepare());
    await node.settle(b.start());
    expect((await node.settle(b.wait())).exitCode).toBe(9);
    expect(node.elapsed()).toBe(10_000);
  });

  it("runFor 'forever' keeps even `true` running until stopped", async () => {
    const node = simNode('forever', { behaviours: { default: { runFor: 'forever' } } });
    const ctl = node.executor.controller(node.task({ container: { command: ['true'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    await node.clock.advanceAsync('1h');
    expect((await ctl.inspect()).state).toBe('running');
  });

  it('crashAfter ends any process with crashExitCode (default 1); oomAfter with 137 and oomKilled', async () => {
    const node = simNode('faults', {
      behaviours: { services: { crashy: { crashAfter: '30s' }, crashy2: { crashAfter: '5s', crashExitCode: 139 }, hungry: { oomAfter: '1m' } } },
    });
    const run = async (serviceName: string) => {
      const ctl = node.executor.controller(node.task({ serviceName, container: { command: ['sleep', '1000'] } }));
      await node.settle(ctl.prepare());
      await node.settle(ctl.start());
      return node.settle(ctl.wait());
    };
    const start = node.clock.now();
    expect(await run('crashy')).toEqual({ exitCode: 1 });
    expect(node.clock.now() - start).toBe(30_000);
    expect(await run('crashy2')).toEqual({ exitCode: 139 });
    expect(await run('hungry')).toEqual({ exitCode: 137, oomKilled: true, message: 'OOM killed' });
    expect(node.executor.containers().map((c) => c.endReason)).toEqual(['crashed', 'crashed', 'oom']);
  });

  it('refuseToStart fails start (not temporary) and leaves the container created', async () => {
    const node = simNode('refuse', { behaviours: { default: { refuseToStart: 'exec: "nope": executable file not found in $PATH' } } });
    const ctl = node.executor.controller(node.task());
    await node.settle(ctl.prepare());
    const e = await rejectionOf(node.settle(ctl.start()));
    expect(e).toBeInstanceOf(ControllerError);
    expect(e).toMatchObject({ code: 'TASK_START_FAILED', temporary: false, message: 'exec: "nope": executable file not found in $PATH' });
    expect((await ctl.inspect()).state).toBe('created');
  });

  it('prepareError fails prepare for good; temporaryErrors fail the first attempts temporarily', async () => {
    const node = simNode('prepare-errors');
    const broken = node.task({ serviceName: 'broken' });
    const flaky = node.task({ serviceName: 'flaky', container: { command: ['true'] } });
    node.executor.setBehaviour({ service: 'broken' }, { prepareError: 'invalid mount config' });
    node.executor.setBehaviour({ taskId: flaky.id }, { temporaryErrors: 2 });
    expect(await rejectionOf(node.settle(node.executor.controller(broken).prepare()))).toMatchObject({ code: 'TASK_PREPARE_FAILED', temporary: false, message: 'invalid mount config' });
    const ctl = node.executor.controller(flaky);
    for (let i = 0; i < 2; i++) expect(await rejectionOf(node.settle(ctl.prepare()))).toMatchObject({ code: 'TASK_PREPARE_FAILED', temporary: true });
    await node.settle(ctl.prepare());
    expect((await ctl.inspect()).state).toBe('created');
  });

  it('merges behaviours field by field: task id over service over image over default', async () => {
    const node = simNode('precedence', {
      behaviours: {
        default: { runFor: '1s', exitCode: 1 },
        images: { busybox: { exitCode: 2, runFor: '2s' } },
        services: { web: { exitCode: 3 } },
      },
    });
    const finish = async (serviceName: string, image = 'busybox') => {
      const task = node.task({ serviceName, container: { image } });
      if (serviceName === 'special') node.executor.setBehaviour({ taskId: task.id }, { exitCode: 4 });
      const ctl = node.executor.controller(task);
      await node.settle(ctl.prepare());
      await node.settle(ctl.start());
      const t0 = node.clock.now();
      const exit = await node.settle(ctl.wait());
      return [exit.exitCode, node.clock.now() - t0];
    };
    expect(await finish('other', 'alpine')).toEqual([1, 1_000]);
    expect(await finish('other')).toEqual([2, 2_000]);
    expect(await finish('web')).toEqual([3, 2_000]);
    expect(await finish('special')).toEqual([4, 2_000]);
    node.executor.setBehaviour({ image: 'busybox' }, undefined);
    expect(await finish('other')).toEqual([1, 1_000]);
  });

  it("matches image keys like Docker: a bare name covers every tag, a tag only itself", async () => {
    const node = simNode('image-keys', { images: ['busybox', 'nginx:1.27'] });
    const prepare = (image: string) => node.settle(node.executor.controller(node.task({ container: { image } })).prepare());
    await prepare('busybox:1.36');
    await prepare('docker.io/library/busybox@sha256:0123');
    await prepare('nginx:1.27');
    expect(await rejectionOf(prepare('nginx:1.28'))).toMatchObject({ code: 'TASK_PREPARE_FAILED', message: expect.stringContaining('No such image: nginx:1.28') });
    expect(await rejectionOf(prepare('nginx'))).toMatchObject({ code: 'TASK_PREPARE_FAILED' });
    node.executor.setImageMissing('busybox:1.37');
    expect(await rejectionOf(prepare('busybox:1.37'))).toMatchObject({ code: 'TASK_PREPARE_FAILED', temporary: false });
    node.executor.setImageMissing('nginx:1.28', false);
    await prepare('nginx:1.28');
  });

  it('writes scripted output lines before the process runs, to the log', async () => {
    const node = simNode('output', { behaviours: { default: { output: ['booting', 'ready'], runFor: '1s' } } });
    const ctl = node.executor.controller(node.task());
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    await node.settle(ctl.wait());
    const lines = [];
    for await (const l of node.executor.logs(ctl.task, {})) lines.push(l);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['booting', 'ready']);
  });

  it('applies a behaviour set at runtime from the next step on', async () => {
    const node = simNode('runtime-script');
    const task = node.task({ serviceName: 'api', container: { command: ['sleep', '1000'] } });
    const ctl = node.executor.controller(task);
    await node.settle(ctl.prepare());
    node.executor.setBehaviour({ service: 'api' }, { runFor: '3s', exitCode: 42 });
    await node.settle(ctl.start());
    const waiting = track(ctl.wait());
    await node.clock.advanceAsync('3s');
    expect(waiting.value).toEqual({ exitCode: 42 });
  });
});
