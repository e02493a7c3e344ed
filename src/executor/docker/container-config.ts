/*
 * The adapter from a task to the body of Docker's `POST /containers/create`. Docker's PascalCase
 * JSON lives here (and in the engine wrapper), nowhere else. The mapping follows what Swarm's
 * agent does with a task (agent/exec/dockerapi in SwarmKit): command replaces the entrypoint and
 * args become Cmd, Swarm's labels, host-mode published ports bound on the host, resource limits,
 * healthcheck durations in nanoseconds, the task's log driver.
 */
import type { HealthCheck, Mount, PortConfig, Task } from '../../api/index.js';
import { parseDuration, type Duration } from '../../runtime/index.js';
import { containerLabels, containerName } from './labels.js';

/** A mount, as `HostConfig.Mounts` takes it. @internal */
export interface EngineMount {
  Type: Mount['type'];
  Target: string;
  Source?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation: string };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name: string } };
  TmpfsOptions?: { SizeBytes: number };
}

/** `Config.Healthcheck`: durations in nanoseconds, 0 meaning "inherit". @internal */
export interface EngineHealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  StartInterval?: number;
}

/** A host port binding. @internal */
export interface EnginePortBinding {
  HostIp?: string;
  HostPort: string;
}

/** `HostConfig`, as far as Flotilla sets it. @internal */
export interface EngineHostConfig {
  Mounts?: EngineMount[];
  Memory?: number;
  NanoCpus?: number;
  PidsLimit?: number;
  Init?: boolean;
  ReadonlyRootfs?: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  GroupAdd?: string[];
  ExtraHosts?: string[];
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  Sysctls?: Record<string, string>;
  Ulimits?: { Name: string; Soft: number; Hard: number }[];
  LogConfig?: { Type: string; Config: Record<string, string> };
  PortBindings?: Record<string, EnginePortBinding[]>;
  RestartPolicy: { Name: 'no' };
}

/** The body of `POST /containers/create` (with the container's name). @internal */
export interface ContainerCreateBody {
  name: string;
  Image: string;
  Labels: Record<string, string>;
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  StopSignal?: string;
  /** Seconds `docker stop` waits before killing (the task's stop grace period, rounded up). */
  StopTimeout?: number;
  Healthcheck?: EngineHealthConfig;
  ExposedPorts?: Record<string, Record<string, never>>;
  HostConfig: EngineHostConfig;
}

/** Milliseconds to nanoseconds, as Docker's duration fields take them. */
const NS_PER_MS = 1e6;

/**
 * The container Docker should create for `task`, owned by the executor of `scope`.
 *
 * - `command` replaces the image's entrypoint and `args` become its Cmd; `args` alone keep the
 *   image's entrypoint (Swarm's rule).
 * - Labels: the container spec's, then Swarm's system labels and Flotilla's scope label.
 * - Only host-mode published ports are bound here (`PortBindings`; published port 0 lets Docker
 *   pick one). Ingress ports need the routing mesh, which this executor does not provide.
 * - `limits` become `Memory`, `NanoCpus` and `PidsLimit`; reservations are the scheduler's.
 * - The restart policy is always `no`: restarting is the orchestrator's job.
 *
 * @internal
 */
export function containerCreateBody(task: Task, scope: string): ContainerCreateBody {
  const c = task.spec.container;
  const body: ContainerCreateBody = {
    name: containerName(task),
    Image: c.image,
    Labels: containerLabels(task, scope),
    HostConfig: hostConfig(task),
  };
  if (c.command !== undefined && c.command.length > 0) {
    body.Entrypoint = [...c.command];
    body.Cmd = [...(c.args ?? [])];
  } else if (c.args !== undefined && c.args.length > 0) {
    body.Cmd = [...c.args];
  }
  const env = [...(c.env ?? []), ...genericResourceEnv(task)];
  if (env.length > 0) body.Env = env;
  if (c.dir !== undefined && c.dir !== '') body.WorkingDir = c.dir;
  if (c.user !== undefined && c.user !== '') body.User = c.user;
  if (c.hostname !== undefined && c.hostname !== '') body.Hostname = c.hostname;
  if (c.tty === true) body.Tty = true;
  if (c.openStdin === true) body.OpenStdin = true;
  if (c.stopSignal !== undefined && c.stopSignal !== '') body.StopSignal = c.stopSignal;
  if (c.stopGracePeriod !== undefined) body.StopTimeout = Math.ceil(ms(c.stopGracePeriod) / 1000);
  if (c.healthcheck !== undefined) body.Healthcheck = healthConfig(c.healthcheck);
  const ports = hostPorts(task);
  if (ports.length > 0) {
    body.ExposedPorts = {};
    for (const p of ports) body.ExposedPorts[portKey(p)] = {};
  }
  return body;
}

function hostConfig(task: Task): EngineHostConfig {
  const c = task.spec.container;
  const hc: EngineHostConfig = { RestartPolicy: { Name: 'no' } };
  if (c.mounts !== undefined && c.mounts.length > 0) hc.Mounts = c.mounts.map(engineMount);
  const limits = task.spec.resources?.limits;
  if (limits?.memoryBytes !== undefined && limits.memoryBytes > 0) hc.Memory = limits.memoryBytes;
  if (limits?.nanoCpus !== undefined && limits.nanoCpus > 0) hc.NanoCpus = limits.nanoCpus;
  if (limits?.pids !== undefined && limits.pids > 0) hc.PidsLimit = limits.pids;
  if (c.init !== undefined) hc.Init = c.init;
  if (c.readOnly === true) hc.ReadonlyRootfs = true;
  if (c.capabilityAdd !== undefined && c.capabilityAdd.length > 0) hc.CapAdd = [...c.capabilityAdd];
  if (c.capabilityDrop !== undefined && c.capabilityDrop.length > 0) hc.CapDrop = [...c.capabilityDrop];
  if (c.groups !== undefined && c.groups.length > 0) hc.GroupAdd = [...c.groups];
  const extraHosts = (c.hosts ?? []).flatMap(extraHostEntries);
  if (extraHosts.length > 0) hc.ExtraHosts = extraHosts;
  const dns = c.dnsConfig;
  if (dns?.nameservers !== undefined && dns.nameservers.length > 0) hc.Dns = [...dns.nameservers];
  if (dns?.search !== undefined && dns.search.length > 0) hc.DnsSearch = [...dns.search];
  if (dns?.options !== undefined && dns.options.length > 0) hc.DnsOptions = [...dns.options];
  if (c.sysctls !== undefined && Object.keys(c.sysctls).length > 0) hc.Sysctls = { ...c.sysctls };
  if (c.ulimits !== undefined && c.ulimits.length > 0) hc.Ulimits = c.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  const log = task.spec.logDriver;
  if (log !== undefined && log.name !== '') hc.LogConfig = { Type: log.name, Config: { ...log.options } };
  const ports = hostPorts(task);
  if (ports.length > 0) {
    hc.PortBindings = {};
    for (const p of ports) {
      const binding: EnginePortBinding = { HostPort: p.publishedPort !== undefined && p.publishedPort > 0 ? String(p.publishedPort) : '' };
      (hc.PortBindings[portKey(p)] ??= []).push(binding);
    }
  }
  return hc;
}

function engineMount(m: Mount): EngineMount {
  const out: EngineMount = { Type: m.type, Target: m.target };
  if (m.source !== undefined && m.source !== '') out.Source = m.source;
  if (m.readOnly === true) out.ReadOnly = true;
  if (m.type === 'bind' && m.bindOptions?.propagation !== undefined) out.BindOptions = { Propagation: m.bindOptions.propagation };
  if (m.type === 'volume' && m.volumeOptions !== undefined) {
    const v = m.volumeOptions;
    out.VolumeOptions = {
      ...(v.noCopy !== undefined ? { NoCopy: v.noCopy } : {}),
      ...(v.labels !== undefined ? { Labels: { ...v.labels } } : {}),
      ...(v.driver !== undefined && v.driver !== '' ? { DriverConfig: { Name: v.driver } } : {}),
    };
  }
  if (m.type === 'tmpfs' && m.tmpfsSizeBytes !== undefined && m.tmpfsSizeBytes > 0) out.TmpfsOptions = { SizeBytes: m.tmpfsSizeBytes };
  return out;
}

/** Docker's health config: durations in nanoseconds; unset fields inherit the image's. */
function healthConfig(h: HealthCheck): EngineHealthConfig {
  const out: EngineHealthConfig = {};
  if (h.test !== undefined && h.test.length > 0) out.Test = [...h.test];
  if (h.interval !== undefined) out.Interval = ms(h.interval) * NS_PER_MS;
  if (h.timeout !== undefined) out.Timeout = ms(h.timeout) * NS_PER_MS;
  if (h.retries !== undefined) out.Retries = h.retries;
  if (h.startPeriod !== undefined) out.StartPeriod = ms(h.startPeriod) * NS_PER_MS;
  if (h.startInterval !== undefined) out.StartInterval = ms(h.startInterval) * NS_PER_MS;
  return out;
}

/** `IP name [aliases...]` (hosts(5)) becomes Docker's `name:IP`, one entry per name. */
function extraHostEntries(entry: string): string[] {
  const [ip, ...names] = entry.trim().split(/\s+/);
  if (ip === undefined || ip === '' || names.length === 0) return [];
  return names.map((name) => `${name}:${ip}`);
}

/** The task's published ports in host mode (the allocated ones, else the spec's). @internal */
export function hostPorts(task: Task): PortConfig[] {
  const ports = task.endpoint?.ports ?? task.endpoint?.spec?.ports ?? [];
  return ports.filter((p) => p.publishMode === 'host');
}

function portKey(p: PortConfig): string {
  return `${p.targetPort}/${p.protocol ?? 'tcp'}`;
}

/** `DOCKER_RESOURCE_<KIND>=v1,v2` for the generic resources the scheduler assigned (Swarm's form). */
function genericResourceEnv(task: Task): string[] {
  const byKind = new Map<string, string[]>();
  for (const r of task.assignedGenericResources ?? []) {
    const key = r.kind.toUpperCase();
    let values = byKind.get(key);
    if (values === undefined) byKind.set(key, (values = []));
    values.push(String(r.value));
  }
  return [...byKind].map(([kind, values]) => `DOCKER_RESOURCE_${kind}=${values.join(',')}`);
}

function ms(d: Duration): number {
  return parseDuration(d);
}
