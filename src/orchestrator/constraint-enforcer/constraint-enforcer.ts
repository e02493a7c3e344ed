import type { Subscription } from 'rxjs';
import type { Node, Service } from '../../api/index.js';
import type { Clock, Logger } from '../../runtime/index.js';
import type { ObjectEvent, Store } from '../../store/index.js';
import { findNoncompliantTasks, isEnforceable, type NoncompliantReason, type NoncompliantTask } from './noncompliant.js';

/** Options of {@link ConstraintEnforcer}. @public */
export interface ConstraintEnforcerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** The status message of a task the constraint enforcer rejected (SwarmKit's). @public */
export const CONSTRAINT_ENFORCER_MESSAGE = 'task rejected by constraint enforcer';

/** The status error of a rejected task, by reason. @public */
export const CONSTRAINT_ENFORCER_ERRORS: Readonly<Record<NoncompliantReason, string>> = Object.freeze({
  constraints: 'assigned node no longer meets constraints',
  resources: 'assigned node no longer has the resources the task reserves',
});

/** Nodes examined per pass; the rest wait for the next pass (bounds the work of one commit). */
const NODES_PER_PASS = 1000;

/** Whether a node change can change which of its tasks fit (constraint facts, capacity, availability). */
function relevant(event: ObjectEvent<'node'>): boolean {
  if (event.type !== 'update') return false;
  const { old, object } = event;
  return old.spec !== object.spec || old.description !== object.description || old.role !== object.role || old.status.addr !== object.status.addr;
}

/**
 * Rejects tasks whose node no longer fits them (SwarmKit's constraint enforcer, leader only).
 * When a node changes (labels removed, role or availability changed, resources shrank), and once
 * for every node at start, the running and starting tasks of that node (if it is active) are
 * checked against their service's current placement constraints and against the node's capacity
 * (see {@link findNoncompliantTasks}). Those that no longer fit get state `rejected`, message
 * {@link CONSTRAINT_ENFORCER_MESSAGE} and an error naming the reason. As in SwarmKit, the desired
 * state is left to the orchestrator: its restart supervisor shuts the task down and, per the
 * service's restart policy, replaces it; the scheduler places the replacement on a node that fits.
 *
 * Work per node change is proportional to that node's tasks. Pending nodes are kept in a set
 * (bounded by the number of nodes) and examined at most 1,000 per pass, one pass
 * at a time. A failed write is logged and retried on the next change.
 *
 * @public
 */
export class ConstraintEnforcer {
  private subscription: Subscription | undefined;
  private readonly queue = new Set<string>();
  /** The rejections being written, if any (`stop` waits for them). */
  private inflight: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ConstraintEnforcerOptions) {}

  /** Checks every node, then watches node changes. Idempotent. */
  start(): void {
    if (this.subscription !== undefined || this.stopped) return;
    const { result, events } = this.options.store.viewAndWatch((tx) => tx.nodes.all().map((n) => n.id), { kind: 'node' });
    for (const id of result) this.queue.add(id);
    this.subscription = events.subscribe({
      next: (event) => {
        if (event.type === 'commit') this.pass();
        else if (relevant(event)) this.queue.add(event.object.id);
      },
      error: (error: unknown) => {
        this.options.logger?.debug?.('constraint enforcer: watch ended; re-reading', { error: String(error) });
        this.subscription = undefined;
        if (!this.stopped) this.start();
      },
    });
    this.pass();
  }

  /** Stops watching; resolves once a write in flight has finished. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.queue.clear();
    await this.inflight;
  }

  private pass(): void {
    if (this.inflight !== undefined || this.stopped || this.queue.size === 0) return;
    const ids: string[] = [];
    for (const id of this.queue) {
      ids.push(id);
      this.queue.delete(id);
      if (ids.length >= NODES_PER_PASS) break;
    }
    const found = this.options.store.view((tx) => {
      const services = new Map<string, Service | undefined>();
      const serviceOf = (id: string): Service | undefined => {
        if (!services.has(id)) services.set(id, tx.services.get(id));
        return services.get(id);
      };
      const out: { node: Node; tasks: NoncompliantTask[] }[] = [];
      for (const id of ids) {
        const node = tx.nodes.get(id);
        if (node === undefined || node.spec.availability !== 'active') continue;
        const tasks = findNoncompliantTasks(node, tx.tasks.find({ nodeId: id }), serviceOf);
        if (tasks.length > 0) out.push({ node, tasks });
      }
      return out;
    });
    if (found.length === 0) {
      if (this.queue.size > 0) this.pass();
      return;
    }
    this.inflight = this.reject(found).finally(() => {
      this.inflight = undefined;
      if (this.queue.size > 0) this.pass();
    });
  }

  private async reject(found: readonly { node: Node; tasks: readonly NoncompliantTask[] }[]): Promise<void> {
    const now = this.options.clock.now();
    try {
      await this.options.store.batch((batch) => {
        for (const { node, tasks } of found) {
          for (const { task, reason } of tasks) {
            void batch.update((tx) => {
              const current = tx.tasks.get(task.id);
              if (current === undefined || current.nodeId !== node.id || !isEnforceable(current)) return;
              tx.tasks.update(task.id, (d) => {
                d.status.state = 'rejected';
                d.status.message = CONSTRAINT_ENFORCER_MESSAGE;
                d.status.err = CONSTRAINT_ENFORCER_ERRORS[reason];
                d.status.timestamp = now;
              });
            });
          }
          this.options.logger?.info?.('constraint enforcer: rejecting tasks', { nodeId: node.id, tasks: tasks.map((t) => t.task.id) });
        }
      });
    } catch (error) {
      // Lost leadership or a conflicting write: look at these nodes again on the next change.
      if (!this.stopped) for (const { node } of found) this.queue.add(node.id);
      this.options.logger?.warn?.('constraint enforcer: write failed', { error: String(error) });
    }
  }
}
