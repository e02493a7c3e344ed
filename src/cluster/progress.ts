import type { Node, Service, Task, TaskSpec } from '../api/index.js';
import { matchesConstraints, nodeFacts, parseConstraints, taskStateOrder } from '../api/index.js';
import { stableJson, withoutPlacementConstraints } from '../orchestrator/common/index.js';

const RUNNING = taskStateOrder('running');

interface Counts {
  /** Tasks that should run: desired at most running and not yet ended. */
  active: number;
  /** Running tasks (desired running) per spec version. */
  readonly runningByVersion: Map<number, number>;
  /** A task spec seen per spec version, to compare content with the service's spec. */
  readonly specByVersion: Map<number, TaskSpec>;
  /** Completed tasks per job iteration. */
  readonly completedByIteration: Map<number, number>;
}

/**
 * Tracks, per service, how many tasks run which spec, incrementally from task events, so that
 * "is this service converged?" costs nothing per check even with a million tasks. @internal
 */
export class ServiceProgress {
  private readonly counts = new Map<string, Counts>();
  private readonly sameSpec = new Map<string, boolean>();

  /** Applies one task change. */
  apply(before: Task | undefined, after: Task | undefined): void {
    if (before !== undefined) this.add(before, -1);
    if (after !== undefined) this.add(after, 1);
  }

  /** Forgets everything (after a resubscription) and reloads from `tasks`. */
  reset(tasks: Iterable<Task>): void {
    this.counts.clear();
    for (const t of tasks) this.add(t, 1);
  }

  /** True when `service` runs exactly as declared. `nodes` is consulted for global services. */
  converged(service: Service, nodes: () => readonly Node[]): boolean {
    const c = this.counts.get(service.id);
    const mode = service.spec.mode ?? { replicated: { replicas: 1 } };
    const state = service.updateStatus?.state;
    if (state === 'updating' || state === 'rollback_started') return false;
    if ('replicatedJob' in mode) {
      const total = mode.replicatedJob.totalCompletions ?? mode.replicatedJob.maxConcurrent ?? 1;
      return (c?.completedByIteration.get(service.jobStatus?.jobIteration ?? 0) ?? 0) >= total;
    }
    if ('globalJob' in mode) {
      return (c?.completedByIteration.get(service.jobStatus?.jobIteration ?? 0) ?? 0) >= eligibleNodes(service, nodes()).length;
    }
    const want = 'replicated' in mode ? (mode.replicated.replicas ?? 1) : eligibleNodes(service, nodes()).length;
    if (c === undefined) return want === 0;
    if (c.active !== want) return false;
    let current = 0;
    for (const [version, n] of c.runningByVersion) {
      if (n > 0 && this.isCurrent(service, version, c.specByVersion.get(version))) current += n;
    }
    return current === want;
  }

  private isCurrent(service: Service, version: number, spec: TaskSpec | undefined): boolean {
    if (version === service.specVersion) return true;
    if (spec === undefined) return false;
    const key = `${service.id}:${service.specVersion}:${version}`;
    let same = this.sameSpec.get(key);
    if (same === undefined) {
      // A change to placement constraints alone leaves fitting tasks in place (see isTaskDirty);
      // the orchestrators shut down the ones that no longer fit.
      same = stableJson(withoutPlacementConstraints(spec)) === stableJson(withoutPlacementConstraints(service.spec.task));
      this.sameSpec.set(key, same);
    }
    return same;
  }

  private add(t: Task, delta: number): void {
    let c = this.counts.get(t.serviceId);
    if (c === undefined) {
      c = { active: 0, runningByVersion: new Map(), specByVersion: new Map(), completedByIteration: new Map() };
      this.counts.set(t.serviceId, c);
    }
    const desired = taskStateOrder(t.desiredState);
    const state = taskStateOrder(t.status.state);
    if (desired <= RUNNING && state <= RUNNING) c.active += delta;
    if (t.status.state === 'running' && t.desiredState === 'running') {
      c.runningByVersion.set(t.specVersion, (c.runningByVersion.get(t.specVersion) ?? 0) + delta);
      if (!c.specByVersion.has(t.specVersion)) c.specByVersion.set(t.specVersion, t.spec);
    }
    if (t.status.state === 'complete') {
      const it = t.jobIteration ?? 0;
      c.completedByIteration.set(it, (c.completedByIteration.get(it) ?? 0) + delta);
    }
  }
}

/** Nodes a global service should run on: ready, not drained, matching its constraints. @internal */
export function eligibleNodes(service: Service, nodes: readonly Node[]): readonly Node[] {
  const expressions = service.spec.task.placement?.constraints ?? [];
  const constraints = expressions.length > 0 ? parseConstraints(expressions) : [];
  return nodes.filter(
    (n) => n.status.state === 'ready' && n.spec.availability !== 'drain' && (constraints.length === 0 || matchesConstraints(constraints, nodeFacts(n))),
  );
}
