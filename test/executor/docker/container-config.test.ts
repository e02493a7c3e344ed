/**
 * How a task becomes Docker's container-create body (no engine needed): the rules a user relies
 * on when they write a container spec, mirroring what Swarm's agent does.
 */
import { describe, expect, it } from 'vitest';
import type { Task, TaskSpec } from '../../../src/api/index.js';
import { containerCreateBody } from '../../../src/executor/docker/container-config.js';
import { DOCKER_LABELS, containerName } from '../../../src/executor/docker/index.js';

function task(spec: Partial<TaskSpec> & Pick<TaskSpec, 'container'>, extra: Partial<Task> = {}): Task {
  return {
    id: 'task0000000000000000000001',
    meta: { version: 1, createdAt: 0, updatedAt: 0 },
    serviceId: 'svc1',
    serviceName: 'web',
    slot: 2,
    nodeId: 'node1',
    spec,
    specVersion: 1,
    status: { state: 'assigned', timestamp: 0, message: '' },
    desiredState: 'running',
    ...extra,
  };
}

describe('containerCreateBody', () => {
  it('names the container <service>.<slot>.<task id>, or <service>.<node id>.<task id> for a global task', () => {
    expect(containerCreateBody(task({ container: { image: 'busybox' } }), 's').name).toBe('web.2.task0000000000000000000001');
    const global = task({ container: { image: 'busybox' } }, { slot: 0 });
    expect(containerCreateBody(global, 's').name).toBe('web.node1.task0000000000000000000001');
    expect(containerName(global)).toBe('web.node1.task0000000000000000000001');
  });

  it("labels the container with Swarm's labels and the scope, over the spec's own labels", () => {
    const body = containerCreateBody(task({ container: { image: 'busybox', labels: { app: 'shop', [DOCKER_LABELS.taskId]: 'forged' } } }), 'scope-a');
    expect(body.Labels).toEqual({
      app: 'shop',
      'com.docker.swarm.task': '',
      'com.docker.swarm.task.id': 'task0000000000000000000001',
      'com.docker.swarm.task.name': 'web.2.task0000000000000000000001',
      'com.docker.swarm.node.id': 'node1',
      'com.docker.swarm.service.id': 'svc1',
      'com.docker.swarm.service.name': 'web',
      'io.flotilla.scope': 'scope-a',
    });
  });

  it('replaces the entrypoint with command and passes args as Cmd; args alone keep the entrypoint', () => {
    const both = containerCreateBody(task({ container: { image: 'busybox', command: ['sh', '-c'], args: ['echo hi'] } }), 's');
    expect(both).toMatchObject({ Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] });
    const commandOnly = containerCreateBody(task({ container: { image: 'busybox', command: ['sleep', '5'] } }), 's');
    expect(commandOnly).toMatchObject({ Entrypoint: ['sleep', '5'], Cmd: [] });
    const argsOnly = containerCreateBody(task({ container: { image: 'busybox', args: ['-v'] } }), 's');
    expect(argsOnly.Entrypoint).toBeUndefined();
    expect(argsOnly.Cmd).toEqual(['-v']);
    const neither = containerCreateBody(task({ container: { image: 'busybox' } }), 's');
    expect(neither.Entrypoint).toBeUndefined();
    expect(neither.Cmd).toBeUndefined();
  });

  it('maps env, dir, user, hostname, stop signal and grace period, and never lets Docker restart it', () => {
    const body = containerCreateBody(
      task({ container: { image: 'busybox', env: ['A=1'], dir: '/tmp', user: 'nobody', hostname: 'h1', stopSignal: 'SIGINT', stopGracePeriod: '1500ms', tty: true, openStdin: true } }),
      's',
    );
    expect(body).toMatchObject({ Env: ['A=1'], WorkingDir: '/tmp', User: 'nobody', Hostname: 'h1', StopSignal: 'SIGINT', StopTimeout: 2, Tty: true, OpenStdin: true });
    expect(body.HostConfig.RestartPolicy).toEqual({ Name: 'no' });
  });

  it('gives the healthcheck durations in nanoseconds and leaves unset fields to the image', () => {
    const body = containerCreateBody(
      task({ container: { image: 'busybox', healthcheck: { test: ['CMD-SHELL', 'true'], interval: '100ms', timeout: '2s', retries: 3, startPeriod: '1m', startInterval: 250 } } }),
      's',
    );
    expect(body.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 100e6, Timeout: 2e9, Retries: 3, StartPeriod: 60e9, StartInterval: 250e6 });
    expect(containerCreateBody(task({ container: { image: 'busybox', healthcheck: { test: ['NONE'] } } }), 's').Healthcheck).toEqual({ Test: ['NONE'] });
  });

  it('applies limits (memory, nano CPUs, pids), not reservations', () => {
    const body = containerCreateBody(
      task({ container: { image: 'busybox' }, resources: { limits: { memoryBytes: 64 * 2 ** 20, nanoCpus: 0.5e9, pids: 100 }, reservations: { memoryBytes: 2 ** 30 } } }),
      's',
    );
    expect(body.HostConfig).toMatchObject({ Memory: 64 * 2 ** 20, NanoCpus: 0.5e9, PidsLimit: 100 });
  });

  it('maps init, read-only root, capabilities, groups, hosts, DNS, sysctls, ulimits and the log driver', () => {
    const body = containerCreateBody(
      task({
        container: {
          image: 'busybox',
          init: true,
          readOnly: true,
          capabilityAdd: ['NET_ADMIN'],
          capabilityDrop: ['MKNOD'],
          groups: ['video'],
          hosts: ['10.0.0.1 db db.local', 'garbage'],
          dnsConfig: { nameservers: ['1.1.1.1'], search: ['example.com'], options: ['ndots:2'] },
          sysctls: { 'net.core.somaxconn': '1024' },
          ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
        },
        logDriver: { name: 'json-file', options: { 'max-size': '1m' } },
      }),
      's',
    );
    expect(body.HostConfig).toMatchObject({
      Init: true,
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      GroupAdd: ['video'],
      ExtraHosts: ['db:10.0.0.1', 'db.local:10.0.0.1'],
      Dns: ['1.1.1.1'],
      DnsSearch: ['example.com'],
      DnsOptions: ['ndots:2'],
      Sysctls: { 'net.core.somaxconn': '1024' },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
  });

  it('maps bind, volume and tmpfs mounts with their options', () => {
    const body = containerCreateBody(
      task({
        container: {
          image: 'busybox',
          mounts: [
            { type: 'bind', source: '/srv', target: '/data', readOnly: true, bindOptions: { propagation: 'rslave' } },
            { type: 'volume', source: 'cache', target: '/cache', volumeOptions: { noCopy: true, labels: { a: 'b' }, driver: 'local' } },
            { type: 'tmpfs', target: '/scratch', tmpfsSizeBytes: 2 ** 20 },
          ],
        },
      }),
      's',
    );
    expect(body.HostConfig.Mounts).toEqual([
      { Type: 'bind', Source: '/srv', Target: '/data', ReadOnly: true, BindOptions: { Propagation: 'rslave' } },
      { Type: 'volume', Source: 'cache', Target: '/cache', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local' } } },
      { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 2 ** 20 } },
    ]);
  });

  it('binds host-mode published ports (0: the engine picks) and leaves ingress ports to the routing mesh', () => {
    const body = containerCreateBody(
      task(
        { container: { image: 'busybox' } },
        {
          endpoint: {
            ports: [
              { targetPort: 80, publishedPort: 8080, protocol: 'tcp', publishMode: 'host' },
              { targetPort: 53, protocol: 'udp', publishMode: 'host' },
              { targetPort: 443, publishedPort: 30443, protocol: 'tcp', publishMode: 'ingress' },
            ],
          },
        },
      ),
      's',
    );
    expect(body.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(body.HostConfig.PortBindings).toEqual({ '80/tcp': [{ HostPort: '8080' }], '53/udp': [{ HostPort: '' }] });
  });

  it('passes the generic resources the scheduler assigned as DOCKER_RESOURCE_* variables', () => {
    const body = containerCreateBody(
      task({ container: { image: 'busybox', env: ['X=1'] } }, { assignedGenericResources: [{ kind: 'gpu', value: 'UUID1' }, { kind: 'gpu', value: 'UUID2' }, { kind: 'ssd', value: 1 }] }),
      's',
    );
    expect(body.Env).toEqual(['X=1', 'DOCKER_RESOURCE_GPU=UUID1,UUID2', 'DOCKER_RESOURCE_SSD=1']);
  });
});
