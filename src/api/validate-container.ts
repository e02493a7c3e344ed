import { DEFAULT_STOP_GRACE_PERIOD_MS } from './defaults.js';
import { imageReferenceProblem } from './image-reference.js';
import { parseIp } from './ip.js';
import type { ContainerSpec, HealthCheck } from './specs.js';
import { Fields, asString, compact, type Issues } from './validate-common.js';
import { validateFileReferences } from './validate-file-refs.js';
import { validateMounts } from './validate-mounts.js';

const HEALTH_TEST_KINDS = ['NONE', 'CMD', 'CMD-SHELL'];
const SIGNAL = /^(?:\d+|(?:SIG)?[A-Z][A-Z0-9]*(?:[+-]\d+)?)$/;

function healthcheck(issues: Issues, value: unknown, path: string): HealthCheck | undefined {
  const f = Fields.of(issues, value, path, ['test', 'interval', 'timeout', 'retries', 'startPeriod', 'startInterval']);
  if (f === undefined) return undefined;
  const test = f.strings('test', true);
  if (test !== undefined && test.length > 0) {
    const kind = test[0] as string;
    if (!HEALTH_TEST_KINDS.includes(kind)) issues.add(`${f.at('test')}[0]`, `must be one of ${HEALTH_TEST_KINDS.join(', ')}`);
    else if (kind !== 'NONE' && (test.length < 2 || test.slice(1).every((s) => s.trim() === ''))) {
      issues.add(f.at('test'), `must name a command after ${kind}`);
    }
  }
  const times: Record<string, number | undefined> = {};
  for (const key of ['interval', 'timeout', 'startPeriod', 'startInterval']) {
    const ms = f.duration(key);
    // SwarmKit: a health check period, when set, must be at least 1 ms (0 means inherit).
    if (ms !== undefined && ms > 0 && ms < 1) issues.add(f.at(key), 'must be 0 or >= 1ms');
    else times[key] = ms;
  }
  return compact({
    test,
    interval: times.interval,
    timeout: times.timeout,
    retries: f.integer('retries', { min: 0 }),
    startPeriod: times.startPeriod,
    startInterval: times.startInterval,
  });
}

function env(issues: Issues, value: unknown, path: string): string | undefined {
  const entry = asString(issues, value, path);
  if (entry === undefined) return undefined;
  const eq = entry.indexOf('=');
  const key = eq < 0 ? entry : entry.slice(0, eq);
  if (key.trim() === '') {
    issues.add(path, 'must be KEY=value or KEY, with a non-empty KEY');
    return undefined;
  }
  return entry;
}

function hostEntry(issues: Issues, value: unknown, path: string): string | undefined {
  const entry = asString(issues, value, path);
  if (entry === undefined) return undefined;
  const parts = entry.trim().split(/\s+/);
  if (parts.length < 2 || parseIp(parts[0] as string) === undefined) {
    issues.add(path, 'must be "IP hostname [aliases...]"');
    return undefined;
  }
  return entry;
}

function dnsConfig(issues: Issues, value: unknown, path: string): ContainerSpec['dnsConfig'] {
  const f = Fields.of(issues, value, path, ['nameservers', 'search', 'options']);
  if (f === undefined) return undefined;
  const nameservers = f.list('nameservers', (v, p) => {
    const s = asString(issues, v, p);
    if (s !== undefined && parseIp(s) === undefined) {
      issues.add(p, 'must be an IP address');
      return undefined;
    }
    return s;
  });
  return compact({ nameservers, search: f.strings('search'), options: f.strings('options') });
}

type Ulimit = NonNullable<ContainerSpec['ulimits']>[number];

function ulimit(issues: Issues, value: unknown, path: string, names: Set<string>): Ulimit | undefined {
  const f = Fields.of(issues, value, path, ['name', 'soft', 'hard']);
  if (f === undefined) return undefined;
  const name = f.require('name') ? f.string('name') : undefined;
  if (name !== undefined) {
    if (names.has(name)) issues.add(f.at('name'), `duplicates ulimit "${name}"`);
    names.add(name);
  }
  // -1 means unlimited, as in Docker.
  const soft = f.require('soft') ? f.integer('soft', { min: -1 }) : undefined;
  const hard = f.require('hard') ? f.integer('hard', { min: -1 }) : undefined;
  if (soft !== undefined && hard !== undefined && hard !== -1 && (soft === -1 || soft > hard)) {
    issues.add(f.at('soft'), 'must be <= hard');
  }
  if (name === undefined || soft === undefined || hard === undefined) return undefined;
  return { name, soft, hard };
}

const CONTAINER_FIELDS = [
  'image', 'labels', 'command', 'args', 'hostname', 'env', 'dir', 'user', 'groups', 'tty', 'openStdin', 'readOnly',
  'mounts', 'secrets', 'configs', 'healthcheck', 'stopSignal', 'stopGracePeriod', 'init', 'capabilityAdd',
  'capabilityDrop', 'hosts', 'dnsConfig', 'sysctls', 'ulimits',
];

/**
 * Validates a container spec and fills Docker's default stop grace period (10 s). Checks the image
 * reference, environment entries, an absolute working directory, the stop signal, mounts, secret
 * and config references, the health check (`NONE`, `CMD …` or `CMD-SHELL …`; periods of 0 or at
 * least 1 ms; retries >= 0), `/etc/hosts` entries, DNS name servers and ulimits.
 *
 * @internal
 */
export function validateContainerSpec(issues: Issues, value: unknown, path: string): ContainerSpec | undefined {
  const f = Fields.of(issues, value, path, CONTAINER_FIELDS);
  if (f === undefined) return undefined;
  let image: string | undefined;
  if (f.require('image')) {
    image = f.string('image');
    const problem = image === undefined ? undefined : imageReferenceProblem(image);
    if (problem !== undefined) {
      issues.add(f.at('image'), `is not a valid image reference: ${problem}`);
      image = undefined;
    }
  }
  let dir = f.string('dir');
  if (dir !== undefined && !dir.startsWith('/')) {
    issues.add(f.at('dir'), 'must be an absolute path');
    dir = undefined;
  }
  let stopSignal = f.string('stopSignal');
  if (stopSignal !== undefined && !SIGNAL.test(stopSignal)) {
    issues.add(f.at('stopSignal'), 'must be a signal name such as SIGTERM, or a signal number');
    stopSignal = undefined;
  }
  const ulimitNames = new Set<string>();
  return compact<ContainerSpec>({
    image: image ?? '',
    labels: f.record('labels'),
    command: f.strings('command', true),
    args: f.strings('args', true),
    hostname: f.string('hostname', true),
    env: f.list('env', (v, p) => env(issues, v, p)),
    dir,
    user: f.string('user', true),
    groups: f.strings('groups'),
    tty: f.boolean('tty'),
    openStdin: f.boolean('openStdin'),
    readOnly: f.boolean('readOnly'),
    mounts: validateMounts(f, 'mounts'),
    secrets: validateFileReferences(f, 'secrets'),
    configs: validateFileReferences(f, 'configs'),
    healthcheck: f.object('healthcheck', (v, p) => healthcheck(issues, v, p)),
    stopSignal,
    stopGracePeriod: f.duration('stopGracePeriod') ?? DEFAULT_STOP_GRACE_PERIOD_MS,
    init: f.boolean('init'),
    capabilityAdd: f.strings('capabilityAdd'),
    capabilityDrop: f.strings('capabilityDrop'),
    hosts: f.list('hosts', (v, p) => hostEntry(issues, v, p)),
    dnsConfig: f.object('dnsConfig', (v, p) => dnsConfig(issues, v, p)),
    sysctls: f.record('sysctls'),
    ulimits: f.list('ulimits', (v, p) => ulimit(issues, v, p, ulimitNames)),
  });
}
