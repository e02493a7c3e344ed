import { produce, type Draft } from 'immer';
import {
  validateServiceSpec,
  validateServiceSpecUpdate,
  serviceModeKind,
  type Node,
  type Service,
  type ServiceSpec,
} from '../api/index.js';
import { ValidationError } from '../errors/index.js';
import { applyManualRollback, applyServiceUpdate, writeServiceChange } from '../orchestrator/update/index.js';
import type { Duration } from '../runtime/index.js';
import type { Cluster } from './cluster.js';
import { findService } from './lookup.js';
import { ServiceLogStream, validateLogOptions, type ServiceLogLine, type ServiceLogsOptions } from './service-logs.js';

/** Filters of {@link ServicesApi.list}. @public */
export interface ServiceFilter {
  /** Only services with this label (`key` or `key=value`). */
  readonly label?: string;
  /** Only services whose name starts with this. */
  readonly name?: string;
}

/** How many replicas run versus how many are wanted (`docker service ls`'s REPLICAS). @public */
export interface ServiceReplicas {
  readonly running: number;
  readonly desired: number;
}

/**
 * `docker service` parity on a {@link Cluster}: create, inspect, list, update (with an immer
 * updater), scale, rollback, remove and wait for convergence.
 *
 * @public
 */
export class ServicesApi {
  /** @internal */
  constructor(private readonly cluster: Cluster) {}

  /**
   * Validates `spec` (filling Docker's defaults) and creates the service. Rejects with a
   * `ValidationError` naming each bad field, or `NameConflictError` when the name is taken.
   */
  async create(spec: ServiceSpec): Promise<Service> {
    const valid = validateServiceSpec(spec);
    const id = this.cluster.random.id();
    const kind = serviceModeKind(valid);
    const job = kind === 'replicatedJob' || kind === 'globalJob';
    await this.cluster.write((tx) => {
      tx.services.create({
        id,
        spec: valid,
        specVersion: 1,
        ...(job ? { jobStatus: { jobIteration: 0, lastExecution: this.cluster.clock.now() } } : {}),
      });
    }, `create service ${valid.name}`);
    return this.inspect(id);
  }

  /** The service with this id, name or unique id prefix (`NotFoundError` otherwise). */
  inspect(service: string): Service {
    return this.cluster.view((tx) => findService(tx, service));
  }

  /** Every service, optionally filtered, sorted by name. */
  list(filter: ServiceFilter = {}): readonly Service[] {
    return this.cluster
      .view((tx) => tx.services.all())
      .filter((s) => filter.name === undefined || s.spec.name.startsWith(filter.name))
      .filter((s) => {
        if (filter.label === undefined) return true;
        const [k, v] = filter.label.split('=', 2) as [string, string | undefined];
        const have = s.spec.labels?.[k];
        return have !== undefined && (v === undefined || have === v);
      })
      .sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1));
  }

  /**
   * Changes a service's spec with an immer updater (mutate the draft, or return a new spec).
   * The new spec is validated against the old (name and mode are immutable); the orchestrators
   * then roll the change out per the service's update config.
   *
   * @example
   * ```ts
   * await cluster.services.update('web', (s) => { s.task.container.image = 'nginx:1.28'; });
   * ```
   */
  async update(service: string, updater: (draft: Draft<ServiceSpec>) => void | ServiceSpec): Promise<Service> {
    const current = this.inspect(service);
    const next = produce(current.spec, (draft: Draft<ServiceSpec>) => updater(draft) as Draft<ServiceSpec> | undefined) as ServiceSpec;
    const valid = validateServiceSpecUpdate(current.spec, next);
    await this.cluster.write((tx) => {
      const fresh = findService(tx, current.id);
      const change = applyServiceUpdate(fresh, valid, this.cluster.clock.now());
      tx.services.update(fresh.id, (d) => writeServiceChange(d, change));
    }, `update service ${current.spec.name}`);
    return this.inspect(current.id);
  }

  /** Sets a replicated service's replica count (`docker service scale`). */
  async scale(service: string, replicas: number): Promise<Service> {
    const current = this.inspect(service);
    if (!(current.spec.mode !== undefined && 'replicated' in current.spec.mode)) {
      throw new ValidationError([{ path: 'mode', message: `service ${current.spec.name} is not a replicated service; only replicated services can be scaled` }]);
    }
    return this.update(current.id, (s) => {
      s.mode = { replicated: { replicas } };
    });
  }

  /** Rolls a service back to its previous spec (`docker service rollback`). */
  async rollback(service: string): Promise<Service> {
    const current = this.inspect(service);
    await this.cluster.write((tx) => {
      const fresh = findService(tx, current.id);
      const change = applyManualRollback(fresh, this.cluster.clock.now());
      tx.services.update(fresh.id, (d) => writeServiceChange(d, change));
    }, `roll back service ${current.spec.name}`);
    return this.inspect(current.id);
  }

  /** Removes a service; its tasks are shut down and then deleted. */
  async remove(service: string): Promise<void> {
    const current = this.inspect(service);
    await this.cluster.write((tx) => tx.services.delete(current.id), `remove service ${current.spec.name}`);
  }

  /** Running versus desired replicas, as `docker service ls` shows them. */
  replicas(service: string): ServiceReplicas {
    const svc = this.inspect(service);
    return this.cluster.view((tx) => {
      const tasks = tx.tasks.find({ serviceId: svc.id });
      const running = tasks.filter((t) => t.status.state === 'running' && t.desiredState === 'running').length;
      const mode = svc.spec.mode;
      const desired =
        mode !== undefined && 'replicated' in mode
          ? (mode.replicated.replicas ?? 1)
          : tasks.filter((t) => t.desiredState === 'running' || t.desiredState === 'ready').length;
      return { running, desired };
    });
  }

  /**
   * The output of every task of a service, like `docker service logs`: each line with its task,
   * node, stream and time, and as `text` the way the Docker CLI prints it
   * (`web.1.<task id>@<node>    | hello`). Each task's node's executor serves its lines; tasks
   * on crashed nodes and executors without logs contribute nothing.
   *
   * Without `follow` it yields what exists now, in time order, and ends. With `follow` it keeps
   * streaming, including tasks that start later, until the loop is left (which stops every
   * underlying stream), the service is removed and its tasks' output ended, or the cluster
   * closes. Throws `NotFoundError` for an unknown service and `ValidationError` for bad options
   * at once; an executor's failure while reading ends the loop with its (Flotilla) error.
   *
   * @example
   * ```ts
   * for await (const line of cluster.services.logs('web', { tail: 10 })) console.log(line.text);
   *
   * for await (const line of cluster.services.logs('web', { follow: true, since: '5m' })) {
   *   if (line.line.includes('ready')) break; // stops following
   * }
   * ```
   */
  logs(service: string, options: ServiceLogsOptions = {}): AsyncIterableIterator<ServiceLogLine> {
    this.cluster.checkOpen();
    const svc = this.inspect(service);
    const since = validateLogOptions(options, this.cluster.clock.now());
    return new ServiceLogStream(this.cluster, svc, options, since);
  }

  /**
   * Resolves with the service once it runs as declared: every replica (or eligible node) runs
   * the current spec and no update is in progress (jobs: the iteration's completions are done).
   * Simulated clusters advance virtual time while waiting. Rejects with `TimeoutError`.
   */
  async waitConverged(service: string, options: { readonly timeout?: Duration } = {}): Promise<Service> {
    const id = this.inspect(service).id;
    let nodes: readonly Node[] | undefined;
    let nodesAt = -1;
    const nodeList = (): readonly Node[] => {
      const index = this.cluster.view((tx) => tx.index);
      if (nodes === undefined || nodesAt !== index) {
        nodes = this.cluster.view((tx) => tx.nodes.all());
        nodesAt = index;
      }
      return nodes;
    };
    await this.cluster.waiter.until(
      () => {
        const svc = this.cluster.view((tx) => tx.services.get(id));
        return svc !== undefined && this.cluster.progress.converged(svc, nodeList);
      },
      `service ${service} to converge`,
      options.timeout,
    );
    return this.inspect(id);
  }
}
