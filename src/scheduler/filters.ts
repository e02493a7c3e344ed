import type { Constraint, GenericResource, Platform, Task } from '../api/index.js';
import { matchesConstraints, normaliseArch, parseConstraints } from '../api/index.js';
import { countNodes, type Filter } from './filter.js';
import type { NodeInfo } from './node-info.js';
import { taskHostPorts, taskReservation } from './task-resources.js';

/** Nodes whose status is `ready` (not down, disconnected or unknown). @public */
export class ReadyFilter implements Filter {
  readonly name = 'ready';
  readonly nodeOnly = true;
  setTask(_task: Task): boolean {
    return true;
  }
  check(node: NodeInfo): boolean {
    return node.node?.status.state === 'ready';
  }
  cacheKey(): string {
    return '';
  }
  explain(n: number): string {
    return `${countNodes(n)} not ready`;
  }
}

/** Nodes whose availability is `active` (not paused or drained). @public */
export class AvailabilityFilter implements Filter {
  readonly name = 'availability';
  readonly nodeOnly = true;
  setTask(_task: Task): boolean {
    return true;
  }
  check(node: NodeInfo): boolean {
    return node.node?.spec.availability === 'active';
  }
  cacheKey(): string {
    return '';
  }
  explain(n: number): string {
    return `${countNodes(n)} not available for new tasks`;
  }
}

/** Nodes with enough unreserved CPU for the task's CPU reservation. @public */
export class CpuFilter implements Filter {
  readonly name = 'cpu';
  private need = 0;
  setTask(task: Task): boolean {
    this.need = taskReservation(task).nanoCpus;
    return this.need > 0;
  }
  check(node: NodeInfo): boolean {
    return node.availableNanoCpus >= this.need;
  }
  explain(n: number): string {
    return `insufficient CPU on ${countNodes(n)}`;
  }
}

/** Nodes with enough unreserved memory for the task's memory reservation. @public */
export class MemoryFilter implements Filter {
  readonly name = 'memory';
  private need = 0;
  setTask(task: Task): boolean {
    this.need = taskReservation(task).memoryBytes;
    return this.need > 0;
  }
  check(node: NodeInfo): boolean {
    return node.availableMemoryBytes >= this.need;
  }
  explain(n: number): string {
    return `insufficient memory on ${countNodes(n)}`;
  }
}

/** Nodes with the free generic resources (GPUs...) the task reserves. @public */
export class GenericResourceFilter implements Filter {
  readonly name = 'generic-resources';
  private need: readonly GenericResource[] = [];
  setTask(task: Task): boolean {
    this.need = taskReservation(task).generic.filter((r) => !('discreteValue' in r) || r.discreteValue > 0);
    return this.need.length > 0;
  }
  check(node: NodeInfo): boolean {
    return node.genericFits(this.need);
  }
  explain(n: number): string {
    return `insufficient generic resources on ${countNodes(n)}`;
  }
}

/**
 * Nodes matching the task's placement constraints (`parseConstraints`, `matchesConstraints`).
 * Constraints were validated when the service was created; a list that no longer parses matches
 * no node rather than every node.
 *
 * @public
 */
export class ConstraintFilter implements Filter {
  readonly name = 'constraints';
  readonly nodeOnly = true;
  private source: readonly string[] | undefined;
  private parsed: readonly Constraint[] | undefined;
  setTask(task: Task): boolean {
    const list = task.spec.placement?.constraints;
    if (list === undefined || list.length === 0) return false;
    if (list !== this.source) {
      this.source = list;
      try {
        this.parsed = parseConstraints(list);
      } catch {
        this.parsed = undefined;
      }
    }
    return true;
  }
  check(node: NodeInfo): boolean {
    const facts = node.facts;
    return this.parsed !== undefined && facts !== undefined && matchesConstraints(this.parsed, facts);
  }
  cacheKey(): string {
    return (this.source ?? []).join('\n');
  }
  explain(n: number): string {
    return `scheduling constraints not satisfied on ${countNodes(n)}`;
  }
}

/**
 * Nodes running one of the task's platforms (`placement.platforms`, else the task's copied
 * `platforms`). OS compares case-insensitively; architectures are normalised (`x86_64` → `amd64`,
 * `aarch64` → `arm64`); an empty OS or architecture in a platform matches any. A node that has not
 * described its platform matches none.
 *
 * @public
 */
export class PlatformFilter implements Filter {
  readonly name = 'platform';
  readonly nodeOnly = true;
  private platforms: readonly { readonly os: string; readonly arch: string }[] = [];
  setTask(task: Task): boolean {
    const list: readonly Platform[] = task.spec.placement?.platforms ?? task.platforms ?? [];
    this.platforms = list.map((p) => ({ os: (p.os ?? '').toLowerCase(), arch: normaliseArch(p.architecture ?? '') }));
    return this.platforms.length > 0;
  }
  check(node: NodeInfo): boolean {
    const os = node.platformOs;
    const arch = node.platformArch;
    if (os === '' && arch === '') return false;
    return this.platforms.some((p) => (p.os === '' || p.os === os) && (p.arch === '' || p.arch === arch));
  }
  cacheKey(): string {
    return this.platforms.map((p) => `${p.os}/${p.arch}`).join(',');
  }
  explain(n: number): string {
    return `unsupported platform on ${countNodes(n)}`;
  }
}

/** Nodes holding fewer than `placement.maxReplicas` active tasks of the task's service. @public */
export class MaxReplicasFilter implements Filter {
  readonly name = 'max-replicas';
  private serviceId = '';
  private max = 0;
  setTask(task: Task): boolean {
    this.serviceId = task.serviceId;
    this.max = task.spec.placement?.maxReplicas ?? 0;
    return this.max > 0;
  }
  check(node: NodeInfo): boolean {
    return node.serviceTasks(this.serviceId) < this.max;
  }
  explain(n: number): string {
    return `max replicas per node reached on ${countNodes(n)}`;
  }
}

/**
 * Nodes where none of the task's host-mode published ports is bound already (ports with
 * `publishMode: 'host'` and a non-zero `publishedPort`, read from `task.endpoint.ports`, else
 * `task.endpoint.spec.ports`; see `taskHostPorts`).
 *
 * @public
 */
export class HostPortFilter implements Filter {
  readonly name = 'host-ports';
  private ports: readonly string[] = [];
  setTask(task: Task): boolean {
    this.ports = taskHostPorts(task);
    return this.ports.length > 0;
  }
  check(node: NodeInfo): boolean {
    for (const p of this.ports) if (node.usesHostPort(p)) return false;
    return true;
  }
  explain(n: number): string {
    return `host-mode port already in use on ${countNodes(n)}`;
  }
}

/**
 * A fresh set of the standard filters, in pipeline order: ready, availability, cpu, memory,
 * generic resources, constraints, platform, max replicas, host ports.
 *
 * @public
 */
export function defaultFilters(): Filter[] {
  return [
    new ReadyFilter(),
    new AvailabilityFilter(),
    new CpuFilter(),
    new MemoryFilter(),
    new GenericResourceFilter(),
    new ConstraintFilter(),
    new PlatformFilter(),
    new MaxReplicasFilter(),
    new HostPortFilter(),
  ];
}
