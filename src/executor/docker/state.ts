/*
 * Reading Docker's `GET /containers/{id}/json` (PascalCase) into the executor seam's camelCase
 * facts: the controller state, the exit status and the bound host ports.
 */
import type { ControllerState, ControllerStatus, ExitStatus } from '../controller.js';

/** The part of a container inspection the executor reads. @internal */
export interface ContainerJson {
  readonly Id: string;
  readonly Name?: string;
  readonly State: {
    readonly Status: string;
    readonly Running?: boolean;
    readonly OOMKilled?: boolean;
    readonly ExitCode?: number;
    readonly Error?: string;
    readonly Health?: { readonly Status?: string; readonly FailingStreak?: number } | null;
  };
  readonly Config?: {
    readonly Labels?: Record<string, string> | null;
    readonly StopSignal?: string;
    readonly Healthcheck?: { readonly Test?: readonly string[] | null; readonly Retries?: number } | null;
    readonly Tty?: boolean;
  } | null;
  readonly NetworkSettings?: {
    readonly Ports?: Record<string, readonly { readonly HostIp?: string; readonly HostPort?: string }[] | null> | null;
  } | null;
}

type Port = NonNullable<ControllerStatus['ports']>[number];

/** How Docker's container statuses map to the seam's states. @internal */
export function controllerState(status: string): ControllerState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    default:
      // exited, dead, removing
      return 'exited';
  }
}

/** The seam's view of an inspected container. @internal */
export function controllerStatus(c: ContainerJson): ControllerStatus {
  const state = controllerState(c.State.Status);
  const ports = state === 'running' ? boundPorts(c) : [];
  return {
    state,
    containerId: c.Id,
    ...(state === 'exited' ? { exit: exitStatus(c) } : {}),
    ...(ports.length > 0 ? { ports } : {}),
  };
}

/**
 * How an exited container ended: its exit code, `oomKilled` and a reason when the kernel killed
 * it for memory, or the engine's error (a process that could not be run).
 *
 * @internal
 */
export function exitStatus(c: ContainerJson): ExitStatus {
  const exitCode = c.State.ExitCode ?? 0;
  if (c.State.OOMKilled === true) return { exitCode, oomKilled: true, message: 'OOM killed' };
  const error = c.State.Error ?? '';
  return error !== '' ? { exitCode, message: error } : { exitCode };
}

/** True when the container has a healthcheck that runs (not `NONE`, not empty). @internal */
export function hasHealthcheck(c: ContainerJson): boolean {
  const test = c.Config?.Healthcheck?.Test;
  return test !== undefined && test !== null && test.length > 0 && test[0] !== 'NONE';
}

/** The container's health status (`starting`, `healthy`, `unhealthy`), if it has one. @internal */
export function healthStatus(c: ContainerJson): string | undefined {
  const s = c.State.Health?.Status;
  return s === undefined || s === '' || s === 'none' ? undefined : s;
}

/** Docker's default number of failed probes that make a container unhealthy. */
const DEFAULT_HEALTH_RETRIES = 3;

/**
 * True when the container's health check failed: it is `unhealthy` with a failing streak of at
 * least its retries. (Docker also marks a container `unhealthy` when it stops, whatever its
 * checks said, so the status alone does not tell.)
 *
 * @internal
 */
export function failedHealth(c: ContainerJson): boolean {
  const h = c.State.Health;
  if (h?.Status !== 'unhealthy') return false;
  if (!hasEnded(c)) return true;
  const retries = c.Config?.Healthcheck?.Retries;
  return (h.FailingStreak ?? 0) >= (retries !== undefined && retries > 0 ? retries : DEFAULT_HEALTH_RETRIES);
}

/** True when the container no longer runs (it exited, died or is being removed). @internal */
export function hasEnded(c: ContainerJson): boolean {
  return controllerState(c.State.Status) === 'exited';
}

/**
 * The host ports the engine bound for the container, one per (protocol, target, published) —
 * Docker lists a binding per host address (0.0.0.0 and ::).
 *
 * @internal
 */
export function boundPorts(c: ContainerJson): Port[] {
  const out: Port[] = [];
  const seen = new Set<string>();
  for (const [key, bindings] of Object.entries(c.NetworkSettings?.Ports ?? {})) {
    const [target, proto] = key.split('/');
    const targetPort = Number(target);
    const protocol = proto === 'udp' || proto === 'sctp' ? proto : 'tcp';
    if (!Number.isInteger(targetPort)) continue;
    for (const b of bindings ?? []) {
      const publishedPort = Number(b.HostPort);
      if (!Number.isInteger(publishedPort) || publishedPort <= 0) continue;
      const id = `${protocol}/${targetPort}/${publishedPort}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ protocol, targetPort, publishedPort });
    }
  }
  return out.sort((a, b) => a.targetPort - b.targetPort || a.publishedPort - b.publishedPort);
}
