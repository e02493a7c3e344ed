import { describe, expect, it } from 'vitest';
import { issuesOf, service, withContainer, withTask } from './support/specs.js';

const DNS = 'must be valid as a DNS name component: letters, digits, "-" and "_", starting and ending with a letter or digit';
const MODES = 'must set exactly one of replicated, global, replicatedJob, globalJob';

interface Rule {
  readonly rule: string;
  readonly input: unknown;
  readonly path: string;
  readonly message: string;
}

const rules = (list: Rule[]): Rule[] => list;

describe('service spec: each rule reports exactly one issue at the exact path', () => {
  describe('name and shape', () => {
    it.each(
      rules([
        { rule: 'a name is required', input: { task: { container: { image: 'nginx' } } }, path: 'name', message: 'is required' },
        { rule: 'a name is not empty', input: service({ name: '' }), path: 'name', message: 'must not be empty' },
        { rule: 'a name is a string', input: service({ name: 42 }), path: 'name', message: 'must be a string' },
        { rule: 'a name has at most 63 characters', input: service({ name: 'a'.repeat(64) }), path: 'name', message: 'must be at most 63 characters' },
        { rule: 'a name has no dots (SwarmKit DNS rule)', input: service({ name: 'web.1' }), path: 'name', message: DNS },
        { rule: 'a name does not start with "-"', input: service({ name: '-web' }), path: 'name', message: DNS },
        { rule: 'a name does not end with "_"', input: service({ name: 'web_' }), path: 'name', message: DNS },
        { rule: 'unknown top-level keys are issues', input: service({ replicas: 3 }), path: 'replicas', message: 'unknown field' },
        { rule: 'unknown nested keys are issues', input: withContainer({ imagee: 'x' }), path: 'task.container.imagee', message: 'unknown field' },
        { rule: 'the spec is an object', input: ['web'], path: '', message: 'must be an object' },
        { rule: 'a task is required', input: { name: 'web' }, path: 'task', message: 'is required' },
        { rule: 'the task is an object', input: service({ task: 'nginx' }), path: 'task', message: 'must be an object' },
        { rule: 'a container is required', input: service({ task: {} }), path: 'task.container', message: 'is required' },
        { rule: 'an image is required', input: service({ task: { container: {} } }), path: 'task.container.image', message: 'is required' },
        { rule: 'the image is not empty', input: withContainer({ image: '' }), path: 'task.container.image', message: 'must not be empty' },
        {
          rule: 'the image is a valid reference',
          input: withContainer({ image: 'Nginx:latest' }),
          path: 'task.container.image',
          message: 'is not a valid image reference: repository name must be lowercase',
        },
        { rule: 'service labels have non-empty keys', input: service({ labels: { '': 'x' } }), path: 'labels', message: 'keys must not be empty' },
        { rule: 'service label values are strings', input: service({ labels: { tier: 1 } }), path: 'labels.tier', message: 'must be a string' },
        { rule: 'service networks are listed once', input: service({ networks: ['a', 'a'] }), path: 'networks[1]', message: 'duplicates networks[0]' },
      ]),
    )('$rule', ({ input, path, message }) => {
      expect(issuesOf(input)).toEqual([{ path, message }]);
    });
  });

  describe('mode', () => {
    it.each(
      rules([
        { rule: 'replicas are >= 0', input: service({ mode: { replicated: { replicas: -1 } } }), path: 'mode.replicated.replicas', message: 'must be >= 0' },
        { rule: 'replicas are integers', input: service({ mode: { replicated: { replicas: 1.5 } } }), path: 'mode.replicated.replicas', message: 'must be an integer' },
        { rule: 'exactly one mode is set', input: service({ mode: { replicated: {}, global: {} } }), path: 'mode', message: MODES },
        { rule: 'an empty mode is not a mode', input: service({ mode: {} }), path: 'mode', message: MODES },
        { rule: 'global mode takes no fields', input: service({ mode: { global: { replicas: 2 } } }), path: 'mode.global.replicas', message: 'unknown field' },
        {
          rule: 'a replicated job runs at least one task at a time',
          input: service({ mode: { replicatedJob: { maxConcurrent: 0 } } }),
          path: 'mode.replicatedJob.maxConcurrent',
          message: 'must be >= 1',
        },
        {
          rule: 'total completions are >= 0',
          input: service({ mode: { replicatedJob: { totalCompletions: -1 } } }),
          path: 'mode.replicatedJob.totalCompletions',
          message: 'must be >= 0',
        },
        { rule: 'jobs have no update config', input: service({ mode: { globalJob: {} }, update: { parallelism: 2 } }), path: 'update', message: 'jobs may not have an update config' },
        {
          rule: 'max replicas per node needs a replicated mode',
          input: withTask({ placement: { maxReplicas: 2 } }, { mode: { global: {} } }),
          path: 'task.placement.maxReplicas',
          message: 'can only be used with replicated or replicatedJob mode',
        },
      ]),
    )('$rule', ({ input, path, message }) => {
      expect(issuesOf(input)).toEqual([{ path, message }]);
    });
  });

  describe('resources', () => {
    const res = (resources: unknown) => withTask({ resources });
    it.each(
      rules([
        { rule: 'reserved CPU is at least 0.001', input: res({ reservations: { nanoCpus: 999_999 } }), path: 'task.resources.reservations.nanoCpus', message: 'must be >= 1000000 (0.001 CPU)' },
        { rule: 'a CPU limit is at least 0.001', input: res({ limits: { nanoCpus: 1 } }), path: 'task.resources.limits.nanoCpus', message: 'must be >= 1000000 (0.001 CPU)' },
        { rule: 'reserved memory is at least 4 MiB', input: res({ reservations: { memoryBytes: 4 * 2 ** 20 - 1 } }), path: 'task.resources.reservations.memoryBytes', message: 'must be >= 4 MiB' },
        { rule: 'a memory limit is at least 4 MiB', input: res({ limits: { memoryBytes: 1024 } }), path: 'task.resources.limits.memoryBytes', message: 'must be >= 4 MiB' },
        { rule: 'CPU is not negative', input: res({ limits: { nanoCpus: -1 } }), path: 'task.resources.limits.nanoCpus', message: 'must be >= 0' },
        { rule: 'memory is a whole number of bytes', input: res({ limits: { memoryBytes: 5e6 + 0.5 } }), path: 'task.resources.limits.memoryBytes', message: 'must be an integer' },
        {
          rule: 'reserved memory does not exceed the limit',
          input: res({ limits: { memoryBytes: 8 * 2 ** 20 }, reservations: { memoryBytes: 16 * 2 ** 20 } }),
          path: 'task.resources.reservations.memoryBytes',
          message: 'must not exceed task.resources.limits.memoryBytes (8388608)',
        },
        {
          rule: 'reserved CPU does not exceed the limit',
          input: res({ limits: { nanoCpus: 5e8 }, reservations: { nanoCpus: 1e9 } }),
          path: 'task.resources.reservations.nanoCpus',
          message: 'must not exceed task.resources.limits.nanoCpus (500000000)',
        },
        { rule: 'generic resources are only reserved', input: res({ limits: { generic: [{ kind: 'gpu', discreteValue: 1 }] } }), path: 'task.resources.limits.generic', message: 'can only be set in reservations' },
        { rule: 'a generic resource has a kind', input: res({ reservations: { generic: [{ kind: '', discreteValue: 1 }] } }), path: 'task.resources.reservations.generic[0].kind', message: 'must not be empty' },
        { rule: 'a discrete generic resource is >= 0', input: res({ reservations: { generic: [{ kind: 'gpu', discreteValue: -1 }] } }), path: 'task.resources.reservations.generic[0].discreteValue', message: 'must be >= 0' },
        { rule: 'a discrete generic resource is an integer', input: res({ reservations: { generic: [{ kind: 'gpu', discreteValue: 0.5 }] } }), path: 'task.resources.reservations.generic[0].discreteValue', message: 'must be an integer' },
        {
          rule: 'a generic resource is named or discrete, not both',
          input: res({ reservations: { generic: [{ kind: 'gpu', discreteValue: 1, namedValue: 'a' }] } }),
          path: 'task.resources.reservations.generic[0]',
          message: 'must set exactly one of namedValue, discreteValue',
        },
        { rule: 'a pids cap is only a limit', input: res({ reservations: { pids: 10 } }), path: 'task.resources.reservations.pids', message: 'can only be set in limits' },
      ]),
    )('$rule', ({ input, path, message }) => {
      expect(issuesOf(input)).toEqual([{ path, message }]);
    });
  });

  describe('restart, update and rollback', () => {
    it.each(
      rules([
        {
          rule: 'the restart delay is a valid duration',
          input: withTask({ restartPolicy: { delay: '5x' } }),
          path: 'task.restartPolicy.delay',
          message: 'invalid duration "5x": missing or unknown unit (use ns, us, ms, s, m or h)',
        },
        { rule: 'the restart window is not negative', input: withTask({ restartPolicy: { window: -1 } }), path: 'task.restartPolicy.window', message: 'invalid duration -1: must not be negative' },
        { rule: 'the restart condition is known', input: withTask({ restartPolicy: { condition: 'always' } }), path: 'task.restartPolicy.condition', message: 'must be one of none, on-failure, any' },
        { rule: 'max attempts are >= 0', input: withTask({ restartPolicy: { maxAttempts: -1 } }), path: 'task.restartPolicy.maxAttempts', message: 'must be >= 0' },
        { rule: 'the backoff factor is >= 1', input: withTask({ restartPolicy: { backoff: { factor: 0.5 } } }), path: 'task.restartPolicy.backoff.factor', message: 'must be >= 1' },
        { rule: 'the stop grace period is not negative', input: withContainer({ stopGracePeriod: '-1s' }), path: 'task.container.stopGracePeriod', message: 'invalid duration "-1s": must not be negative' },
        { rule: 'the update monitor is a valid duration', input: service({ update: { monitor: 'abc' } }), path: 'update.monitor', message: 'invalid duration "abc": unexpected "abc"' },
        { rule: 'the update delay is a valid duration', input: service({ update: { delay: '' } }), path: 'update.delay', message: 'invalid duration "": is empty' },
        { rule: 'the max failure ratio is at most 1', input: service({ update: { maxFailureRatio: 1.5 } }), path: 'update.maxFailureRatio', message: 'must be between 0 and 1' },
        { rule: 'the max failure ratio is at least 0', input: service({ rollback: { maxFailureRatio: -0.1 } }), path: 'rollback.maxFailureRatio', message: 'must be between 0 and 1' },
        { rule: 'parallelism is >= 0', input: service({ update: { parallelism: -1 } }), path: 'update.parallelism', message: 'must be >= 0' },
        { rule: 'parallelism is an integer', input: service({ rollback: { parallelism: 1.5 } }), path: 'rollback.parallelism', message: 'must be an integer' },
        { rule: 'the update failure action is known', input: service({ update: { failureAction: 'retry' } }), path: 'update.failureAction', message: 'must be one of pause, continue, rollback' },
        { rule: 'a rollback cannot roll back', input: service({ rollback: { failureAction: 'rollback' } }), path: 'rollback.failureAction', message: 'must be one of pause, continue' },
        { rule: 'the update order is known', input: service({ update: { order: 'random' } }), path: 'update.order', message: 'must be one of stop-first, start-first' },
      ]),
    )('$rule', ({ input, path, message }) => {
      expect(issuesOf(input)).toEqual([{ path, message }]);
    });
  });

  describe('endpoint', () => {
    const ports = (list: unknown[], mode?: string) => service({ endpoint: mode === undefined ? { ports: list } : { mode, ports: list } });
    it.each(
      rules([
        { rule: 'a target port is >= 1', input: ports([{ targetPort: 0 }]), path: 'endpoint.ports[0].targetPort', message: 'must be between 1 and 65535' },
        { rule: 'a target port is <= 65535', input: ports([{ targetPort: 65536 }]), path: 'endpoint.ports[0].targetPort', message: 'must be between 1 and 65535' },
        { rule: 'a target port is required', input: ports([{ publishedPort: 80 }]), path: 'endpoint.ports[0].targetPort', message: 'is required' },
        { rule: 'a published port is <= 65535', input: ports([{ targetPort: 80, publishedPort: 70000 }]), path: 'endpoint.ports[0].publishedPort', message: 'must be between 0 and 65535' },
        { rule: 'the protocol is known', input: ports([{ targetPort: 80, protocol: 'http' }]), path: 'endpoint.ports[0].protocol', message: 'must be one of tcp, udp, sctp' },
        {
          rule: 'a published port and protocol pair is used once',
          input: ports([{ targetPort: 80, publishedPort: 8080 }, { targetPort: 81, publishedPort: 8080, protocol: 'tcp', publishMode: 'host' }]),
          path: 'endpoint.ports[1].publishedPort',
          message: 'duplicates published port 8080/tcp of endpoint.ports[0]',
        },
        {
          rule: 'dnsrr cannot use ingress ports',
          input: ports([{ targetPort: 80, publishedPort: 8080 }], 'dnsrr'),
          path: 'endpoint.ports[0].publishMode',
          message: 'ingress publish mode cannot be used with endpoint mode dnsrr (use host)',
        },
        { rule: 'the endpoint mode is known', input: service({ endpoint: { mode: 'lb' } }), path: 'endpoint.mode', message: 'must be one of vip, dnsrr' },
      ]),
    )('$rule', ({ input, path, message }) => {
      expect(issuesOf(input)).toEqual([{ path, message }]);
    });

    it('allows the same published port for tcp and udp, several unpublished ports, and dnsrr with host ports', () => {
      expect(
        issuesOf(
          ports([
            { targetPort: 53, publishedPort: 53, protocol: 'tcp' },
            { targetPort: 53, publishedPort: 53, protocol: 'udp' },
            { targetPort: 80 },
            { targetPort: 81, publishedPort: 0 },
          ]),
        ),
      ).toEqual([]);
      expect(issuesOf(ports([{ targetPort: 80, publishedPort: 80, publishMode: 'host' }], 'dnsrr'))).toEqual([]);
    });
  });

  describe('container', () => {
    const mounts = (...list: unknown[]) => withContainer({ mounts: list });
    it.each(
      rules([
        { rule: 'a mount target is absolute', input: mounts({ type: 'volume', target: 'data' }), path: 'task.container.mounts[0].target', message: 'must be an absolute path' },
        { rule: 'a mount target is not /', input: mounts({ type: 'volume', target: '/' }), path: 'task.container.mounts[0].target', message: 'must not be /' },
        { rule: 'a bind mount has a source', input: mounts({ type: 'bind', target: '/data' }), path: 'task.container.mounts[0].source', message: 'is required for a bind mount' },
        { rule: 'a bind source is absolute', input: mounts({ type: 'bind', source: 'data', target: '/data' }), path: 'task.container.mounts[0].source', message: 'must be an absolute path for a bind mount' },
        { rule: 'a volume source is a name', input: mounts({ type: 'volume', source: '/var/data', target: '/data' }), path: 'task.container.mounts[0].source', message: 'must be a volume name, not an absolute path' },
        { rule: 'a tmpfs mount has no source', input: mounts({ type: 'tmpfs', source: 'x', target: '/tmp' }), path: 'task.container.mounts[0].source', message: 'must not be set for a tmpfs mount' },
        { rule: 'volume options only on volumes', input: mounts({ type: 'bind', source: '/a', target: '/a', volumeOptions: { noCopy: true } }), path: 'task.container.mounts[0].volumeOptions', message: 'can only be used with a volume mount' },
        { rule: 'bind options only on binds', input: mounts({ type: 'volume', target: '/a', bindOptions: { propagation: 'shared' } }), path: 'task.container.mounts[0].bindOptions', message: 'can only be used with a bind mount' },
        { rule: 'a tmpfs size only on tmpfs', input: mounts({ type: 'volume', target: '/a', tmpfsSizeBytes: 1024 }), path: 'task.container.mounts[0].tmpfsSizeBytes', message: 'can only be used with a tmpfs mount' },
        { rule: 'the mount type is known', input: mounts({ type: 'nfs', target: '/a' }), path: 'task.container.mounts[0].type', message: 'must be one of bind, volume, tmpfs, npipe' },
        {
          rule: 'a mount point is used once',
          input: mounts({ type: 'volume', target: '/data' }, { type: 'tmpfs', target: '/data/' }),
          path: 'task.container.mounts[1].target',
          message: 'duplicates the mount point of task.container.mounts[0]',
        },
        {
          rule: 'a health check test starts with NONE, CMD or CMD-SHELL',
          input: withContainer({ healthcheck: { test: ['curl', 'localhost'] } }),
          path: 'task.container.healthcheck.test[0]',
          message: 'must be one of NONE, CMD, CMD-SHELL',
        },
        { rule: 'a CMD health check names a command', input: withContainer({ healthcheck: { test: ['CMD'] } }), path: 'task.container.healthcheck.test', message: 'must name a command after CMD' },
        { rule: 'health check retries are >= 0', input: withContainer({ healthcheck: { test: ['NONE'], retries: -1 } }), path: 'task.container.healthcheck.retries', message: 'must be >= 0' },
        { rule: 'a health check interval is 0 or >= 1ms', input: withContainer({ healthcheck: { interval: '500us' } }), path: 'task.container.healthcheck.interval', message: 'must be 0 or >= 1ms' },
        { rule: 'an env entry has a key', input: withContainer({ env: ['A=1', '=x'] }), path: 'task.container.env[1]', message: 'must be KEY=value or KEY, with a non-empty KEY' },
        { rule: 'env entries are strings', input: withContainer({ env: [1] }), path: 'task.container.env[0]', message: 'must be a string' },
        { rule: 'container labels have non-empty keys', input: withContainer({ labels: { ' ': 'x' } }), path: 'task.container.labels', message: 'keys must not be empty' },
        { rule: 'the working directory is absolute', input: withContainer({ dir: 'app' }), path: 'task.container.dir', message: 'must be an absolute path' },
        { rule: 'the stop signal is a signal', input: withContainer({ stopSignal: 'stop please' }), path: 'task.container.stopSignal', message: 'must be a signal name such as SIGTERM, or a signal number' },
        { rule: 'a hosts entry is IP then names', input: withContainer({ hosts: ['db 10.0.0.5'] }), path: 'task.container.hosts[0]', message: 'must be "IP hostname [aliases...]"' },
        { rule: 'a DNS name server is an IP', input: withContainer({ dnsConfig: { nameservers: ['dns.local'] } }), path: 'task.container.dnsConfig.nameservers[0]', message: 'must be an IP address' },
        { rule: 'a soft ulimit does not exceed the hard one', input: withContainer({ ulimits: [{ name: 'nofile', soft: 2048, hard: 1024 }] }), path: 'task.container.ulimits[0].soft', message: 'must be <= hard' },
        { rule: 'the command is an array', input: withContainer({ command: 'nginx -g' }), path: 'task.container.command', message: 'must be an array' },
        { rule: 'tty is a boolean', input: withContainer({ tty: 'yes' }), path: 'task.container.tty', message: 'must be a boolean' },
        { rule: 'a secret reference names its secret', input: withContainer({ secrets: [{ file: { name: 'x' } }] }), path: 'task.container.secrets[0].name', message: 'is required' },
        {
          rule: 'secret target files are unique',
          input: withContainer({ secrets: [{ name: 'a' }, { name: 'b', file: { name: 'a' } }] }),
          path: 'task.container.secrets[1].file.name',
          message: 'target "a" is already used by secret reference task.container.secrets[0]',
        },
        {
          rule: 'config target files are unique',
          input: withContainer({ configs: [{ name: 'a', file: { name: 'app.conf' } }, { name: 'b', file: { name: 'app.conf' } }] }),
          path: 'task.container.configs[1].file.name',
          message: 'target "app.conf" is already used by config reference task.container.configs[0]',
        },
        { rule: 'a file mode is at most 0777', input: withContainer({ secrets: [{ name: 'a', file: { mode: 0o1000 } }] }), path: 'task.container.secrets[0].file.mode', message: 'must be between 0 and 511' },
        { rule: 'a file owner is a numeric id', input: withContainer({ configs: [{ name: 'a', file: { uid: 'root' } }] }), path: 'task.container.configs[0].file.uid', message: 'must be a numeric id' },
      ]),
    )('$rule', ({ input, path, message }) => {
      expect(issuesOf(input)).toEqual([{ path, message }]);
    });
  });

  describe('placement, networks and logging', () => {
    it.each(
      rules([
        {
          rule: 'constraints parse',
          input: withTask({ placement: { constraints: ['node.role==manager', 'node.role=manager'] } }),
          path: 'task.placement.constraints[1]',
          message: 'invalid constraint "node.role=manager": single "=" is not an operator (use == or !=)',
        },
        { rule: 'constraints are strings', input: withTask({ placement: { constraints: [7] } }), path: 'task.placement.constraints[0]', message: 'must be a string' },
        {
          rule: 'a spread preference names a node or engine label',
          input: withTask({ placement: { preferences: [{ spread: 'node.hostname' }] } }),
          path: 'task.placement.preferences[0].spread',
          message: 'must be node.labels.<key> or engine.labels.<key>',
        },
        { rule: 'max replicas are >= 0', input: withTask({ placement: { maxReplicas: -1 } }), path: 'task.placement.maxReplicas', message: 'must be >= 0' },
        { rule: 'platform fields are strings', input: withTask({ placement: { platforms: [{ os: 'linux', architecture: 64 }] } }), path: 'task.placement.platforms[0].architecture', message: 'must be a string' },
        {
          rule: 'a task attaches to a network once',
          input: withTask({ networks: [{ target: 'appnet' }, { target: 'appnet', aliases: ['x'] }] }),
          path: 'task.networks[1].target',
          message: 'duplicates the network of task.networks[0]',
        },
        { rule: 'a network attachment names its network', input: withTask({ networks: [{ aliases: ['x'] }] }), path: 'task.networks[0].target', message: 'is required' },
        { rule: 'a log driver has a name', input: withTask({ logDriver: { options: {} } }), path: 'task.logDriver.name', message: 'is required' },
        { rule: 'force update is a counter', input: withTask({ forceUpdate: -1 }), path: 'task.forceUpdate', message: 'must be >= 0' },
      ]),
    )('$rule', ({ input, path, message }) => {
      expect(issuesOf(input)).toEqual([{ path, message }]);
    });
  });
});
