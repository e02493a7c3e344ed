/**
 * What the Docker executor does on a real engine beyond the shared contract: the container a
 * task becomes (name, labels, limits, the spec's settings), OOM kills, host ports that answer,
 * adoption by a fresh executor, scoping, logs, start failures, and an unreachable engine.
 * The tests run concurrently (each on its own tasks) to keep the file fast.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerSpec, PortConfig, Task } from '../../../src/api/index.js';
import { ControllerError, type LogLine } from '../../../src/executor/index.js';
import { DockerEngineError, DockerExecutor } from '../../../src/executor/docker/index.js';
import { contractTask } from '../../contracts/executor.contract.js';
import { containersOf, docker, dockerSuite, fileScope, freePort, freshId, httpGet, SOCKET_PATH, within } from './support.js';

const scope = fileScope('executor');
const executor = new DockerExecutor({ socketPath: SOCKET_PATH, scope, pollIntervalMs: 1_000 });
afterAll(() => executor.close());

const STEP = 15_000;

function task(container: Partial<ContainerSpec>, extra: Partial<Task> = {}): Task {
  const base = contractTask(freshId(), { container }, Date.now());
  return { ...base, ...extra, spec: { ...base.spec, ...extra.spec, container: { image: 'busybox', ...container } } };
}

async function run(t: Task, ex: DockerExecutor = executor): Promise<void> {
  const ctl = ex.controller(t);
  await within(ctl.prepare(), STEP, 'prepare');
  await within(ctl.start(), STEP, 'start');
}

async function rejection(p: Promise<unknown>): Promise<ControllerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ControllerError) return e;
    throw e;
  }
  throw new Error('expected a ControllerError');
}

async function lines(t: Task, options: Parameters<DockerExecutor['logs']>[1] = {}): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of executor.logs(t, options)) out.push(l);
  return out;
}

dockerSuite(
  'DockerExecutor on the real engine',
  () => {
    it("names and labels a task's container as Swarm does and applies the container spec", async ({ expect }) => {
      const t = task(
        {
          command: ['sh', '-c'],
          args: ['echo "$GREETING from $(pwd) on $(hostname)"; sleep 1000'],
          labels: { app: 'shop' },
          env: ['GREETING=hello'],
          dir: '/tmp',
          hostname: 'box-1',
          init: true,
          readOnly: true,
          capabilityDrop: ['NET_RAW'],
          stopSignal: 'SIGINT',
          stopGracePeriod: '1s',
          mounts: [{ type: 'tmpfs', target: '/scratch', tmpfsSizeBytes: 2 ** 20 }],
          healthcheck: { test: ['CMD', 'true'], interval: '200ms', timeout: '1s', retries: 2 },
        },
        {
          serviceName: 'web',
          slot: 2,
          nodeId: 'node-x',
          spec: { container: { image: 'busybox' }, resources: { limits: { memoryBytes: 64 * 2 ** 20, nanoCpus: 0.5e9, pids: 64 } }, logDriver: { name: 'json-file', options: { 'max-size': '1m' } } },
        },
      );
      await run(t);
      const info = await docker.getContainer(`web.2.${t.id}`).inspect();
      expect(info.Name).toBe(`/web.2.${t.id}`);
      expect(info.Config.Labels).toMatchObject({
        app: 'shop',
        'com.docker.swarm.task.id': t.id,
        'com.docker.swarm.task.name': `web.2.${t.id}`,
        'com.docker.swarm.service.name': 'web',
        'com.docker.swarm.service.id': 'contract-service',
        'com.docker.swarm.node.id': 'node-x',
        'io.flotilla.scope': scope,
      });
      expect(info.Config).toMatchObject({ Entrypoint: ['sh', '-c'], WorkingDir: '/tmp', Hostname: 'box-1', StopSignal: 'SIGINT' });
      expect(info.Config.Env).toContain('GREETING=hello');
      expect(info.Config.Healthcheck).toMatchObject({ Test: ['CMD', 'true'], Interval: 200e6, Timeout: 1e9, Retries: 2 });
      expect(info.HostConfig).toMatchObject({ Memory: 64 * 2 ** 20, NanoCpus: 0.5e9, PidsLimit: 64, Init: true, ReadonlyRootfs: true, CapDrop: ['NET_RAW'] });
      expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m' } });
      expect(info.HostConfig.RestartPolicy?.Name).toBe('no');
      expect(info.HostConfig.Mounts).toEqual([expect.objectContaining({ Type: 'tmpfs', Target: '/scratch' })]);
      expect(info.State.Health?.Status).toBe('healthy');
      await expect.poll(async () => (await lines(t)).map((l) => l.line), { timeout: 5_000 }).toContain('hello from /tmp on box-1');
      await within(executor.controller(t).terminate(), STEP);
    });

    it('reports a task killed for exceeding its memory limit: exit 137, oomKilled', async ({ expect }) => {
      const t = task({ command: ['sh', '-c', 'a=$(yes | head -c 100000000); echo survived'] }, { spec: { container: { image: 'busybox' }, resources: { limits: { memoryBytes: 16 * 2 ** 20 } } } });
      await run(t);
      const exit = await within(executor.controller(t).wait(), STEP, 'wait');
      expect(exit).toEqual({ exitCode: 137, oomKilled: true, message: 'OOM killed' });
    });

    it('binds a host-mode published port where the process answers', async ({ expect }) => {
      const port = await freePort();
      const ports: PortConfig[] = [{ targetPort: 8080, publishedPort: port, protocol: 'tcp', publishMode: 'host' }];
      const t = task({ command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }, { endpoint: { ports } });
      await run(t);
      const status = await executor.controller(t).inspect();
      expect(status.ports).toEqual([{ protocol: 'tcp', targetPort: 8080, publishedPort: port }]);
      await expect.poll(() => httpGet(port).catch(() => ''), { timeout: 5_000 }).toBe('hello from flotilla\n');
      await within(executor.controller(t).remove(), STEP);
      await expect(httpGet(port)).rejects.toThrow();
    });

    it('lets a fresh executor with the same scope adopt a running container, and no other scope see it', async ({ expect }) => {
      const t = task({ command: ['sleep', '1000'], stopGracePeriod: '1s' });
      const first = new DockerExecutor({ socketPath: SOCKET_PATH, scope });
      await run(t, first);
      const { containerId } = await first.controller(t).inspect();
      first.close();

      const fresh = new DockerExecutor({ socketPath: SOCKET_PATH, scope });
      const other = new DockerExecutor({ socketPath: SOCKET_PATH, scope: `${scope}-other` });
      try {
        expect(await fresh.listTasks()).toContainEqual({ taskId: t.id, containerId });
        expect((await other.listTasks()).map((x) => x.taskId)).not.toContain(t.id);
        expect((await other.controller(t).inspect()).state).toBe('absent');
        const ctl = fresh.controller(t);
        expect(await ctl.inspect()).toMatchObject({ state: 'running', containerId });
        await within(ctl.prepare(), STEP);
        await within(ctl.start(), STEP);
        expect(await containersOf(scope, [`com.docker.swarm.task.id=${t.id}`])).toHaveLength(1);
        const waiting = ctl.wait();
        await within(ctl.shutdown({ gracePeriodMs: 200 }), STEP);
        expect((await within(waiting, STEP)).exitCode).toBe(137); // sleep ignores SIGTERM as PID 1
      } finally {
        fresh.close();
        other.close();
      }
    });

    it('streams stdout and stderr with timestamps, the last lines, lines since a time, and follows new lines', async ({ expect }) => {
      const before = Date.now() - 1_000;
      const t = task({ command: ['sh', '-c', 'echo one; echo two >&2; sleep 0.3; echo three'] });
      await run(t);
      await within(executor.controller(t).wait(), STEP);
      const all = await lines(t);
      // Order holds within a stream; stdout and stderr are separate pipes.
      expect(all.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['one', 'three']);
      expect(all.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['two']);
      for (const l of all) expect(l.timestamp).toBeGreaterThan(before);
      expect((await lines(t, { tail: 1 })).map((l) => l.line)).toEqual(['three']);
      const three = all.find((l) => l.line === 'three') as LogLine;
      expect((await lines(t, { since: three.timestamp })).map((l) => l.line)).toEqual(['three']);

      const ticking = task({ command: ['sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.2; done'] });
      const ctl = executor.controller(ticking);
      await within(ctl.prepare(), STEP);
      const followed = within(lines(ticking, { follow: true }), STEP, 'following the log');
      await within(ctl.start(), STEP);
      expect((await followed).map((l) => l.line)).toEqual(['tick 1', 'tick 2', 'tick 3']);
    });

    it('stops following when the reader closes the iterator', async ({ expect }) => {
      const t = task({ command: ['sh', '-c', 'while true; do echo tick; sleep 0.1; done'] });
      await run(t);
      const seen: string[] = [];
      for await (const l of executor.logs(t, { follow: true })) {
        seen.push(l.line);
        if (seen.length === 3) break;
      }
      expect(seen).toEqual(['tick', 'tick', 'tick']);
      await within(executor.controller(t).terminate(), STEP);
    });

    it("rejects a start that cannot run the command with Docker's reason, not temporarily", async ({ expect }) => {
      const t = task({ command: ['no-such-program'] });
      const ctl = executor.controller(t);
      await within(ctl.prepare(), STEP);
      const e = await rejection(within(ctl.start(), STEP));
      expect(e.code).toBe('TASK_START_FAILED');
      expect(e.temporary).toBe(false);
      expect(e.message).toMatch(/no-such-program/);
    });

    it('rejects start with TASK_START_FAILED when the process exits non-zero before it is healthy', async ({ expect }) => {
      const t = task({ command: ['sh', '-c', 'sleep 0.3; exit 5'], healthcheck: { test: ['CMD', 'false'], interval: '10s', retries: 3 } });
      const ctl = executor.controller(t);
      await within(ctl.prepare(), STEP);
      const e = await rejection(within(ctl.start(), STEP));
      expect(e.code).toBe('TASK_START_FAILED');
      expect(e.message).toContain('exited with code 5 before it became healthy');
      expect(await within(ctl.wait(), STEP)).toEqual({ exitCode: 5 });
    });

    it("says what Docker says about an image that cannot be pulled: No such image, and the pull's reason", async ({ expect }) => {
      const e = await rejection(within(executor.controller(task({ image: 'flotilla-test/nope:404' })).prepare(), 30_000));
      expect(e).toMatchObject({ code: 'TASK_PREPARE_FAILED', temporary: false });
      expect(e.message).toMatch(/^No such image: flotilla-test\/nope:404 \(pulling it failed: .+\)$/);
    });

    it('describes the node from docker info', async ({ expect }) => {
      const info = await docker.info();
      const d = await executor.describe();
      expect(d).toMatchObject({ hostname: info.Name, platform: { os: info.OSType, architecture: info.Architecture }, resources: { nanoCpus: info.NCPU * 1e9, memoryBytes: info.MemTotal } });
    });
  },
  { concurrent: true },
);

describe('DockerExecutor with no engine behind its socket', () => {
  const gone = new DockerExecutor({ socketPath: '/nonexistent/flotilla/docker.sock', scope: 'unreachable' });

  it('fails controller steps temporarily (the agent retries), and describe with UNREACHABLE', async () => {
    const ctl = gone.controller(contractTask(freshId()));
    for (const step of [ctl.prepare(), ctl.start(), ctl.inspect(), ctl.shutdown({ gracePeriodMs: 0 }), ctl.remove()]) {
      const e = await rejection(step);
      expect(e.temporary).toBe(true);
      expect(e.message).toContain('Docker engine unreachable');
    }
    await expect(gone.describe()).rejects.toSatisfy((e: unknown) => e instanceof DockerEngineError && e.code === 'UNREACHABLE' && e.temporary);
    await expect(gone.listTasks()).rejects.toBeInstanceOf(DockerEngineError);
  });
});
