import { describe, expect, it } from 'vitest';
import { deepFreeze, safeValidateServiceSpec, validateServiceSpec, type ServiceSpec } from '../../src/api/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { isDeepFrozen, service, withContainer, withTask } from './support/specs.js';

const UPDATE_DEFAULTS = { parallelism: 1, delay: 0, failureAction: 'pause', monitor: 5000, maxFailureRatio: 0, order: 'stop-first' };

const validate = (input: unknown): ServiceSpec => validateServiceSpec(input as ServiceSpec);

describe('service spec defaults', () => {
  it('fills every Docker default into a minimal replicated service', () => {
    expect(validate(service())).toStrictEqual({
      name: 'web',
      mode: { replicated: { replicas: 1 } },
      task: {
        container: { image: 'nginx:1.27', stopGracePeriod: 10_000 },
        restartPolicy: { condition: 'any', delay: 5000, maxAttempts: 0, window: 0 },
      },
      update: UPDATE_DEFAULTS,
      rollback: UPDATE_DEFAULTS,
      endpoint: { mode: 'vip' },
    });
  });

  it('gives a replicated job 1 concurrent task, as many completions, on-failure restarts and no update config', () => {
    const spec = validate(service({ mode: { replicatedJob: {} } }));
    expect(spec.mode).toStrictEqual({ replicatedJob: { maxConcurrent: 1, totalCompletions: 1 } });
    expect(spec.task.restartPolicy).toStrictEqual({ condition: 'on-failure', delay: 5000, maxAttempts: 0, window: 0 });
    expect(spec).not.toHaveProperty('update');
    expect(spec).not.toHaveProperty('rollback');
  });

  it('defaults total completions to max concurrent when only the latter is set (Docker CLI behaviour)', () => {
    expect(validate(service({ mode: { replicatedJob: { maxConcurrent: 3 } } })).mode).toStrictEqual({ replicatedJob: { maxConcurrent: 3, totalCompletions: 3 } });
    expect(validate(service({ mode: { replicatedJob: { maxConcurrent: 3, totalCompletions: 10 } } })).mode).toStrictEqual({
      replicatedJob: { maxConcurrent: 3, totalCompletions: 10 },
    });
  });

  it('gives a global job on-failure restarts and a global service the update defaults', () => {
    const job = validate(service({ mode: { globalJob: {} } }));
    expect(job.mode).toStrictEqual({ globalJob: {} });
    expect(job.task.restartPolicy?.condition).toBe('on-failure');
    const global = validate(service({ mode: { global: {} } }));
    expect(global.mode).toStrictEqual({ global: {} });
    expect(global.update).toStrictEqual(UPDATE_DEFAULTS);
    expect(global.task.restartPolicy?.condition).toBe('any');
  });

  it('fills a replicated mode without replicas with 1, and keeps an explicit 0', () => {
    expect(validate(service({ mode: { replicated: {} } })).mode).toStrictEqual({ replicated: { replicas: 1 } });
    expect(validate(service({ mode: { replicated: { replicas: 0 } } })).mode).toStrictEqual({ replicated: { replicas: 0 } });
  });

  it('keeps what the user set and fills only the missing fields', () => {
    const spec = validate(withTask({ restartPolicy: { condition: 'none', maxAttempts: 3 } }, { update: { parallelism: 0, order: 'start-first' } }));
    expect(spec.task.restartPolicy).toStrictEqual({ condition: 'none', delay: 5000, maxAttempts: 3, window: 0 });
    expect(spec.update).toStrictEqual({ ...UPDATE_DEFAULTS, parallelism: 0, order: 'start-first' });
  });

  it('converts every duration to milliseconds', () => {
    const spec = validate(
      service({
        task: {
          container: {
            image: 'nginx',
            stopGracePeriod: '1m30s',
            healthcheck: { test: ['CMD', 'true'], interval: '30s', timeout: '500ms', startPeriod: '1h', startInterval: '2s' },
          },
          restartPolicy: { delay: '10s', window: '2m', backoff: { factor: 2, maxDelay: '5m' } },
        },
        update: { delay: '1.5s', monitor: '1m' },
        rollback: { delay: 250, monitor: '0' },
      }),
    );
    expect(spec.task.container.stopGracePeriod).toBe(90_000);
    expect(spec.task.container.healthcheck).toStrictEqual({ test: ['CMD', 'true'], interval: 30_000, timeout: 500, startPeriod: 3_600_000, startInterval: 2000 });
    expect(spec.task.restartPolicy).toStrictEqual({ condition: 'any', delay: 10_000, maxAttempts: 0, window: 120_000, backoff: { factor: 2, maxDelay: 300_000 } });
    expect(spec.update).toMatchObject({ delay: 1500, monitor: 60_000 });
    expect(spec.rollback).toMatchObject({ delay: 250, monitor: 0 });
  });

  it('fills port protocol tcp and publish mode ingress', () => {
    const spec = validate(service({ endpoint: { ports: [{ targetPort: 80, publishedPort: 8080 }, { targetPort: 53, protocol: 'udp', publishMode: 'host' }] } }));
    expect(spec.endpoint).toStrictEqual({
      mode: 'vip',
      ports: [
        { targetPort: 80, publishedPort: 8080, protocol: 'tcp', publishMode: 'ingress' },
        { targetPort: 53, protocol: 'udp', publishMode: 'host' },
      ],
    });
  });

  it('names secret and config files after the object, owned by root, mode 0444, as the Docker CLI does', () => {
    const spec = validate(withContainer({ secrets: [{ name: 'db_pass' }], configs: [{ name: 'app', file: { name: '/etc/app.conf', mode: 0o400 } }] }));
    expect(spec.task.container.secrets).toStrictEqual([{ name: 'db_pass', file: { name: 'db_pass', uid: '0', gid: '0', mode: 0o444 } }]);
    expect(spec.task.container.configs).toStrictEqual([{ name: 'app', file: { name: '/etc/app.conf', uid: '0', gid: '0', mode: 0o400 } }]);
  });

  it('treats null fields as unset, as Docker JSON does', () => {
    expect(validate(service({ labels: null, update: null, mode: null }))).toStrictEqual(validate(service()));
  });

  it('ignores fields whose value is undefined, known or not, as a spread of optional values produces them', () => {
    expect(validate(service({ labels: undefined, extra: undefined }))).toStrictEqual(validate(service()));
  });

  it('accepts a full, realistic spec unchanged apart from defaults', () => {
    const input = {
      name: 'api_v2',
      labels: { 'com.example.team': 'core' },
      mode: { replicated: { replicas: 3 } },
      task: {
        container: {
          image: 'registry.example.com:5000/team/api:2.1@sha256:' + 'a'.repeat(64),
          command: ['node', 'server.js'],
          env: ['NODE_ENV=production', 'DEBUG'],
          dir: '/app',
          mounts: [
            { type: 'bind', source: '/srv/data', target: '/data', readOnly: true, bindOptions: { propagation: 'rprivate' } },
            { type: 'volume', source: 'cache', target: '/cache', volumeOptions: { driver: 'local', noCopy: true } },
            { type: 'tmpfs', target: '/tmp', tmpfsSizeBytes: 1 << 20 },
          ],
          hosts: ['10.0.0.5 db db.local'],
          dnsConfig: { nameservers: ['1.1.1.1', '2606:4700:4700::1111'] },
          ulimits: [{ name: 'nofile', soft: 1024, hard: -1 }],
          stopSignal: 'SIGQUIT',
        },
        resources: { limits: { nanoCpus: 2e9, memoryBytes: 512 * 2 ** 20, pids: 100 }, reservations: { nanoCpus: 5e8, memoryBytes: 64 * 2 ** 20, generic: [{ kind: 'gpu', discreteValue: 1 }] } },
        placement: { constraints: ['node.role==worker', 'node.labels.zone != b'], preferences: [{ spread: 'node.labels.zone' }], maxReplicas: 2, platforms: [{ os: 'linux', architecture: 'amd64' }] },
        networks: [{ target: 'appnet', aliases: ['api'] }],
        logDriver: { name: 'json-file', options: { 'max-size': '10m' } },
        forceUpdate: 1,
      },
      endpoint: { mode: 'vip', ports: [{ name: 'http', targetPort: 8080, publishedPort: 80 }] },
    };
    const spec = validate(input);
    expect(spec.task.placement).toStrictEqual(input.task.placement);
    expect(spec.task.resources).toStrictEqual(input.task.resources);
    expect(spec.task.container.mounts).toStrictEqual(input.task.container.mounts);
    expect(spec.labels).toStrictEqual(input.labels);
  });
});

describe('service spec validation as a whole', () => {
  it('collects every issue in one ValidationError instead of stopping at the first', () => {
    const input = withTask(
      { resources: { reservations: { memoryBytes: 1 } }, placement: { constraints: ['node.zone==a'] } },
      { name: 'bad name', update: { maxFailureRatio: 2 } },
    );
    const expected = [
      { path: 'name', message: 'must be valid as a DNS name component: letters, digits, "-" and "_", starting and ending with a letter or digit' },
      { path: 'task.resources.reservations.memoryBytes', message: 'must be >= 4 MiB' },
      {
        path: 'task.placement.constraints[0]',
        message:
          'invalid constraint "node.zone==a": unknown key "node.zone" (expected node.id, node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, node.labels.<key> or engine.labels.<key>)',
      },
      { path: 'update.maxFailureRatio', message: 'must be between 0 and 1' },
    ];
    let caught: unknown;
    try {
      validate(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as ValidationError;
    expect(err.code).toBe('VALIDATION');
    expect(err.issues).toEqual(expected);
    expect(err.message).toContain('task.resources.reservations.memoryBytes: must be >= 4 MiB');
    expect(safeValidateServiceSpec(input)).toEqual({ ok: false, issues: expected });
  });

  it('safeValidateServiceSpec returns the same value validateServiceSpec does', () => {
    const r = safeValidateServiceSpec(service());
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toStrictEqual(validate(service()));
  });

  it.each([null, undefined, 'web', 42, [], new Map()])('reports a non-object spec (%s) as an issue, not a crash', (input) => {
    expect(safeValidateServiceSpec(input)).toEqual({ ok: false, issues: [{ path: '', message: 'must be an object' }] });
  });

  it('does not modify its input and accepts a frozen one', () => {
    const input = withContainer({ env: ['A=1'], secrets: [{ name: 's' }] });
    const before = structuredClone(input);
    validate(input);
    expect(input).toStrictEqual(before);
    expect(() => validate(deepFreeze(structuredClone(before)))).not.toThrow();
  });

  it('returns a new, deep-frozen spec that shares no objects with the input', () => {
    const input = withTask({ placement: { constraints: ['node.role==worker'] } }, { labels: { a: 'b' } });
    const spec = validate(input);
    expect(isDeepFrozen(spec)).toBe(true);
    expect(spec).not.toBe(input);
    expect(spec.task).not.toBe(input.task);
    expect(spec.labels).not.toBe(input.labels);
    expect(spec.task.placement?.constraints).not.toBe((input.task as { placement: { constraints: string[] } }).placement.constraints);
  });

  it('keeps a "__proto__" label as an ordinary key', () => {
    const input = JSON.parse('{"name":"web","labels":{"__proto__":"x"},"task":{"container":{"image":"nginx"}}}') as unknown;
    const spec = validate(input);
    expect(Object.keys(spec.labels ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(spec.labels)).toBe(Object.prototype);
  });
});
