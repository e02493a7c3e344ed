import type { Task } from '../../api/index.js';
import type { Random } from '../../runtime/index.js';

/** A host-mode port a running container has bound. @internal */
export interface BoundPort {
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly targetPort: number;
  readonly publishedPort: number;
}

const NO_PORTS: BoundPort[] = [];

/** Linux's default ephemeral range, where Docker picks a host port left unset. */
const EPHEMERAL_MIN = 32768;
const EPHEMERAL_MAX = 60999;

/**
 * The host ports bound on one simulated node. Ingress ports go through the routing mesh and bind
 * nothing here; host-mode ports bind `publishedPort` (or a free ephemeral port when it is unset),
 * and a port bound twice fails the second start, as Docker does.
 *
 * @internal
 */
export class HostPorts {
  private readonly owners = new Map<string, string>();
  private readonly byContainer = new Map<string, string[]>();

  /** Binds the host-mode ports of `task` for `containerId`; a message when one is taken. */
  bind(containerId: string, task: Task, random: Random): BoundPort[] | string {
    const ports = task.endpoint?.ports ?? task.endpoint?.spec?.ports;
    if (ports === undefined || ports.length === 0) return NO_PORTS;
    const wanted = ports.filter((p) => p.publishMode === 'host');
    if (wanted.length === 0) return NO_PORTS;
    const bound: BoundPort[] = [];
    const keys: string[] = [];
    for (const p of wanted) {
      const protocol = p.protocol ?? 'tcp';
      let port = p.publishedPort ?? 0;
      if (port === 0) {
        port = this.freeEphemeral(protocol, random, keys);
        if (port === 0) return `no free host port for ${p.targetPort}/${protocol}`;
      }
      const key = `${protocol}/${port}`;
      if (this.owners.has(key) || keys.includes(key)) return `Bind for 0.0.0.0:${port} failed: port is already allocated`;
      keys.push(key);
      bound.push({ protocol, targetPort: p.targetPort, publishedPort: port });
    }
    for (const k of keys) this.owners.set(k, containerId);
    this.byContainer.set(containerId, keys);
    return bound;
  }

  release(containerId: string): void {
    for (const k of this.byContainer.get(containerId) ?? []) this.owners.delete(k);
    this.byContainer.delete(containerId);
  }

  /** Forgets every binding (the node lost its processes). */
  clear(): void {
    this.owners.clear();
    this.byContainer.clear();
  }

  private freeEphemeral(protocol: string, random: Random, taken: readonly string[]): number {
    const span = EPHEMERAL_MAX - EPHEMERAL_MIN + 1;
    const start = random.int(span);
    for (let i = 0; i < span; i++) {
      const port = EPHEMERAL_MIN + ((start + i) % span);
      const key = `${protocol}/${port}`;
      if (!this.owners.has(key) && !taken.includes(key)) return port;
    }
    return 0;
  }
}
