import type { Observable, Subscription } from 'rxjs';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import type { Labels, NodeRole, TaskSpec, TaskState } from '../../src/api/index.js';
import { Store, type NewObject, type ProposalTarget, type StoreOptions, type Transaction } from '../../src/store/index.js';

/** A store on a virtual clock (starting at t=1000) and a seeded id source. */
export function newStore(options: Partial<StoreOptions> = {}, seed = 1): { store: Store; clock: VirtualClock; random: Random } {
  const clock = new VirtualClock({ start: 1000 });
  return { store: new Store({ clock, ...options }), clock, random: Random.fromSeed(seed) };
}

export const TASK_SPEC: TaskSpec = Object.freeze({ container: Object.freeze({ image: 'nginx:1.27' }) });

export function service(id: string, name: string, labels?: Labels): NewObject<'service'> {
  return { id, spec: { name, task: TASK_SPEC, ...(labels ? { labels } : {}) }, specVersion: 1 };
}

export function task(
  id: string,
  serviceId: string,
  nodeId: string,
  slot: number,
  state: TaskState = 'running',
  desiredState: TaskState = 'running',
): NewObject<'task'> {
  return {
    id,
    serviceId,
    slot,
    nodeId,
    spec: TASK_SPEC,
    specVersion: 1,
    serviceName: `svc-${serviceId}`,
    status: { state, timestamp: 0, message: '' },
    desiredState,
  };
}

export function node(id: string, hostname: string, options: { name?: string; role?: NodeRole; labels?: Labels; membership?: 'pending' | 'accepted' } = {}): NewObject<'node'> {
  const role = options.role ?? 'worker';
  return {
    id,
    spec: {
      role,
      membership: options.membership ?? 'accepted',
      availability: 'active',
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
    },
    role,
    description: {
      hostname,
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
      engine: { version: '27.0.0' },
    },
    status: { state: 'ready' },
  };
}

export function network(id: string, name: string, labels?: Labels): NewObject<'network'> {
  return { id, spec: { name, driver: 'overlay', ...(labels ? { labels } : {}) } };
}

export function secret(id: string, name: string, data: Uint8Array, labels?: Labels): NewObject<'secret'> {
  return { id, spec: { name, data, ...(labels ? { labels } : {}) } };
}

export function config(id: string, name: string, data: Uint8Array): NewObject<'config'> {
  return { id, spec: { name, data } };
}

export function cluster(id: string, name = 'default'): NewObject<'cluster'> {
  return { id, spec: { name, orchestration: { taskHistoryRetentionLimit: 5 } } };
}

/** Collects everything an observable emits, and how it ended. */
export function record<T>(source: Observable<T>): { values: T[]; error: unknown; completed: boolean; subscription: Subscription | undefined } {
  const out = { values: [] as T[], error: undefined as unknown, completed: false, subscription: undefined as Subscription | undefined };
  out.subscription = source.subscribe({
    next: (v) => out.values.push(v),
    error: (e) => (out.error = e),
    complete: () => (out.completed = true),
  });
  return out;
}

/** Lets queued microtasks (watch delivery) run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A proposer that behaves like raft: nothing is applied until the test commits it, and indexes
 * skip numbers (the raft log holds other entries too).
 */
export class DeferredProposer {
  readonly queue: { tx: Transaction; target: ProposalTarget; resolve(i: number): void; reject(e: unknown): void }[] = [];
  private next = 10;

  propose(tx: Transaction, target: ProposalTarget): Promise<number> {
    return new Promise((resolve, reject) => this.queue.push({ tx, target, resolve, reject }));
  }

  /** Commits and applies the oldest proposal; returns its index. */
  commitNext(): number {
    const p = this.queue.shift();
    if (p === undefined) throw new Error('nothing proposed');
    const index = (this.next += 3);
    try {
      p.target.applyTransaction(p.tx, index);
      p.resolve(index);
    } catch (err) {
      p.reject(err);
    }
    return index;
  }

  commitAll(): void {
    while (this.queue.length > 0) this.commitNext();
  }
}
