import { EventEmitter } from 'eventemitter3';
import { BehaviorSubject, EMPTY, distinctUntilChanged, switchMap, type Observable, type Subscription } from 'rxjs';
import { DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER_SETTINGS, type Node, type NodeRole, type Service, type Task } from '../api/index.js';
import { ClosedError, InvalidStateError, NotFoundError, isFlotillaError } from '../errors/index.js';
import { SimulatedExecutor, type SimulatedBehaviour, type SimulatedBehaviourTarget } from '../executor/simulated/index.js';
import type { Executor } from '../executor/index.js';
import { Random, SystemClock, VirtualClock, parseDuration, type Clock, type Duration } from '../runtime/index.js';
import type { ObjectKind } from '../errors/index.js';
import type { ReadTx, StoreEvent, WatchOptions, WriteTx } from '../store/index.js';
import { InMemoryNetwork } from '../transport/index.js';
import type { ClusterEvents } from './events.js';
import { clusterInfo, type ClusterInfo } from './info.js';
import { ManagerProcess } from './manager.js';
import { NodeProcess } from './node-process.js';
import { NodesApi } from './nodes.js';
import type { ClusterOptions, NodeOptions, SimulateOptions } from './options.js';
import { ServiceProgress } from './progress.js';
import { ServicesApi } from './services.js';
import { TasksApi } from './tasks.js';
import { Waiter } from './waiter.js';
import { createSimulatedExecutor } from './wiring.js';

/** One node of the cluster as the facade tracks it. @internal */
export interface NodeRecord {
  readonly nodeId: string;
  readonly hostname: string;
  role: NodeRole;
  readonly options: NodeOptions;
  readonly process: NodeProcess;
  manager: ManagerProcess | undefined;
  endpoint: ReturnType<InMemoryNetwork['endpoint']> | undefined;
  crashed: boolean;
}

const DEFAULT_TIMEOUT = 60_000;
/**
 * Undelivered events the facade's own watch (progress, events) may hold; past it the facade
 * re-reads every task. Bursts of the control loops reach tens of thousands of task changes, and
 * a re-read per burst would make a large cluster quadratic (see the scheduler's watch).
 */
const FACADE_WATCH_BUFFER = 200_000;
const DEFAULT_START = Date.UTC(2026, 0, 1);

/**
 * A Swarm-mode cluster in this process: managers (replicated by raft when there are several),
 * workers, and the loops that turn services into running tasks. Build one with
 * {@link Cluster.create} (real time) or {@link Cluster.simulate} (virtual time, from a seed).
 *
 * @example
 * ```ts
 * const cluster = await Cluster.simulate({ seed: 42, managers: 3, workers: 5 });
 * await cluster.services.create({ name: 'web', mode: { replicated: { replicas: 3 } }, task: { container: { image: 'nginx:1.27' } } });
 * await cluster.services.waitConverged('web');
 * await cluster.close();
 * ```
 * @public
 */
export class Cluster extends EventEmitter<ClusterEvents> {
  /** The clock every component runs on. */
  readonly clock: Clock;
  /** The seeded source of every random choice. */
  readonly random: Random;
  /** The in-process network between the nodes (fault injection: `partition`, `isolate`, `heal`). */
  readonly network: InMemoryNetwork;
  /** Services: `docker service` parity. */
  readonly services: ServicesApi;
  /** Tasks: `docker service ps` and `docker inspect` of tasks. */
  readonly tasks: TasksApi;
  /** Nodes: `docker node` parity. */
  readonly nodes: NodesApi;
  /** @internal */
  readonly records = new Map<string, NodeRecord>();
  /** @internal */
  readonly progress = new ServiceProgress();
  /** @internal */
  readonly waiter: Waiter;
  /** @internal */
  readonly options: ClusterOptions;
  private readonly leader$ = new BehaviorSubject<ManagerProcess | undefined>(undefined);
  private readonly changeListeners = new Set<() => void>();
  private readonly closeHooks = new Set<() => void | Promise<void>>();
  private internal: Subscription | undefined;
  private closed = false;
  private readonly touched = new Set<string>();
  private readonly convergedAt = new Map<string, number>();
  private nextNumber = { manager: 0, worker: 0 };

  /** @internal */
  protected constructor(clock: Clock, random: Random, network: InMemoryNetwork, options: ClusterOptions) {
    super();
    this.clock = clock;
    this.random = random;
    this.network = network;
    this.options = options;
    this.waiter = new Waiter(clock, parseDuration(options.timeout ?? DEFAULT_TIMEOUT, 'timeout'), (fn) => {
      this.changeListeners.add(fn);
      return () => this.changeListeners.delete(fn);
    });
    this.services = new ServicesApi(this);
    this.tasks = new TasksApi(this);
    this.nodes = new NodesApi(this);
  }

  /**
   * Starts a cluster on the system clock, with simulated executors unless `options.executor`
   * says otherwise. Resolves once a leader is elected and every node is ready.
   */
  static async create(options: ClusterOptions = {}): Promise<Cluster> {
    const clock = new SystemClock();
    const random = Random.fromEntropy();
    // Messages carry frozen store objects and plain data only, so they need no copying.
    const network = new InMemoryNetwork({ clock, random: random.fork('network'), cloneMessages: false });
    const cluster = new Cluster(clock, random, network, options);
    await cluster.bootstrap();
    return cluster;
  }

  /**
   * Starts a whole cluster under virtual time, reproducibly from `options.seed`: every wait
   * advances virtual time by itself until its condition holds, so a test reads like real-time
   * code and runs in milliseconds. The network is exposed for fault injection.
   */
  static async simulate(options: SimulateOptions = {}): Promise<SimulatedCluster> {
    const clock = new VirtualClock({ start: options.startTime ?? DEFAULT_START });
    const random = Random.fromSeed(options.seed ?? 1);
    const network = new InMemoryNetwork({
      clock,
      random: random.fork('network'),
      latency: { min: options.latency?.min ?? 1, mean: options.latency?.mean ?? 2 },
      cloneMessages: false,
    });
    const cluster = new SimulatedCluster(clock, random, network, options);
    await cluster.bootstrap();
    return cluster;
  }

  /** Addresses of the manager nodes, in creation order. */
  get managers(): readonly string[] {
    return [...this.records.values()].filter((r) => r.role === 'manager').map((r) => r.hostname);
  }

  /** Addresses of the worker nodes, in creation order. */
  get workers(): readonly string[] {
    return [...this.records.values()].filter((r) => r.role === 'worker').map((r) => r.hostname);
  }

  /** The current leader's address, if there is one. */
  get leader(): string | undefined {
    return this.leader$.value?.address;
  }

  /** The executor of a node (by hostname or id), e.g. a `SimulatedExecutor` to inject faults. */
  executor(node: string): Executor {
    return this.record(node).process.executor;
  }

  /** The Swarm part of `docker info`. */
  info(): ClusterInfo {
    return clusterInfo(this);
  }

  /**
   * The committed changes of the leader's store, as an rxjs Observable (switching to the new
   * leader's store after an election; around a switch an event may be missed or repeated).
   */
  watch<K extends ObjectKind = ObjectKind>(options: WatchOptions<K> = {}): Observable<StoreEvent<K>> {
    return this.leader$.pipe(
      distinctUntilChanged(),
      switchMap((m) => (m === undefined ? EMPTY : m.store.watch(options))),
    );
  }

  /**
   * Resolves once `predicate` holds (checked on every change; under virtual time, after every
   * timer), or rejects with `TimeoutError` naming `waitingFor`.
   */
  waitFor(predicate: () => boolean, options: { readonly timeout?: Duration; readonly waitingFor?: string } = {}): Promise<void> {
    return this.waiter.until(predicate, options.waitingFor ?? 'a condition', options.timeout);
  }

  /** Adds a node and resolves with it once it is ready. */
  async addNode(options: NodeOptions = {}): Promise<Node> {
    this.checkOpen();
    const record = this.createRecord(options);
    await this.registerNodes([record]);
    if (record.role === 'manager') await this.nodes.joinRaft(record);
    this.startAgent(record);
    await this.waiter.until(() => this.view((tx) => tx.nodes.get(record.nodeId)?.status.state === 'ready'), `node ${record.hostname} to be ready`);
    return this.view((tx) => tx.nodes.get(record.nodeId)) as Node;
  }

  /**
   * Crashes a node like a power loss: its agent and manager stop at once, and nothing its
   * manager had not persisted survives. What happens to its containers is the executor's: a
   * simulated node's die with it; a real engine (`DockerExecutor`) keeps running them, as a
   * host whose orchestration process was killed would, until the node is restarted and its
   * agent adopts them. Its node goes down after three missed heartbeats.
   */
  async crash(node: string): Promise<void> {
    const r = this.record(node);
    if (r.crashed) return;
    r.crashed = true;
    await r.process.stop();
    await r.manager?.stop();
    // What the manager had not synced to its raft storage is lost, as on a power loss.
    r.manager?.storage?.crash();
    r.endpoint?.close();
    r.endpoint = undefined;
    const exec = r.process.executor as { crashNode?: () => void };
    exec.crashNode?.();
  }

  /** Restarts a crashed node: its manager recovers from its raft storage and its agent rejoins. */
  async restart(node: string): Promise<void> {
    const r = this.record(node);
    if (!r.crashed) return;
    r.crashed = false;
    const exec = r.process.executor as { restartNode?: () => void };
    exec.restartNode?.();
    if (r.manager !== undefined) {
      const old = r.manager;
      if (old.driver !== undefined) this.startManager(r, old.storage !== undefined ? { storage: old.storage } : {});
      else this.startManager(r, undefined, old.store);
    }
    this.startAgent(r);
    await Promise.resolve();
  }

  /** Stops every loop, agent and timer. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const hooks = [...this.closeHooks];
    this.closeHooks.clear();
    await Promise.allSettled(hooks.map(async (fn) => fn()));
    this.removeAllListeners();
    this.internal?.unsubscribe();
    for (const r of this.records.values()) await r.process.stop();
    for (const r of this.records.values()) await r.manager?.stop();
    this.network.close();
    this.leader$.complete();
  }

  // ---- internals used by the API objects -------------------------------------------------

  /** @internal */
  record(node: string): NodeRecord {
    const direct = this.records.get(node);
    if (direct !== undefined) return direct;
    for (const r of this.records.values()) if (r.nodeId === node || r.hostname === node) return r;
    throw new NotFoundError('node', node);
  }

  /** Reads the leader's store (or, without a leader, any live manager's). @internal */
  view<T>(fn: (tx: ReadTx) => T): T {
    const m = this.leader$.value ?? [...this.records.values()].find((r) => r.manager !== undefined && !r.manager.isStopped)?.manager;
    if (m === undefined) throw new ClosedError('cluster (no live manager)');
    return m.store.view(fn);
  }

  /** Writes on the leader, waiting for one (and retrying once it changes). @internal */
  async write<T>(fn: (tx: WriteTx) => T, what: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.checkOpen();
      await this.waiter.until(() => this.leader$.value !== undefined, `a leader, to ${what}`);
      const leader = this.leader$.value as ManagerProcess;
      try {
        return await this.waiter.settle(leader.write(fn), what);
      } catch (err) {
        const retry = isFlotillaError(err) && (err.code === 'NOT_LEADER' || err.code === 'PROPOSAL_LOST' || err.code === 'QUORUM_LOST');
        if (!retry || attempt >= 5) throw err;
      }
    }
  }

  /** @internal */
  protected async bootstrap(): Promise<void> {
    const managers = Math.max(1, this.options.managers ?? 1);
    const workers = Math.max(0, this.options.workers ?? 0);
    const records: NodeRecord[] = [];
    for (let i = 0; i < managers + workers; i++) {
      const given = this.options.nodes?.[i] ?? {};
      records.push(this.createRecord({ ...given, role: i < managers ? 'manager' : 'worker' }));
    }
    const peers = records.filter((r) => r.role === 'manager').map((r) => r.hostname);
    for (const r of records) if (r.role === 'manager') this.startManager(r, managers > 1 ? { peers } : undefined);
    await this.waiter.until(() => this.leader$.value !== undefined, 'the managers to elect a leader');
    await this.write((tx) => {
      if (tx.clusters.find({ name: DEFAULT_CLUSTER_NAME }).length > 0) return;
      tx.clusters.create({
        id: this.random.fork('cluster').id(),
        spec: {
          name: DEFAULT_CLUSTER_NAME,
          orchestration: { taskHistoryRetentionLimit: this.options.taskHistoryRetentionLimit ?? DEFAULT_CLUSTER_SETTINGS.taskHistoryRetentionLimit },
          dispatcher: {
            heartbeatPeriod: parseDuration(this.options.heartbeatPeriod ?? DEFAULT_CLUSTER_SETTINGS.heartbeatPeriod, 'heartbeatPeriod'),
            nodeDownPeriod: parseDuration(this.options.nodeDownPeriod ?? DEFAULT_CLUSTER_SETTINGS.nodeDownPeriod, 'nodeDownPeriod'),
          },
        },
      });
    }, 'create the cluster object');
    await this.registerNodes(records);
    for (const r of records) this.startAgent(r);
    await this.waiter.until(
      () => this.view((tx) => records.every((r) => tx.nodes.get(r.nodeId)?.status.state === 'ready')),
      'every node to be ready',
    );
  }

  /** @internal */
  createRecord(options: NodeOptions): NodeRecord {
    const role = options.role ?? 'worker';
    const number = ++this.nextNumber[role];
    const hostname = options.hostname ?? `${role}-${number}`;
    const nodeRandom = this.random.fork(`node-${hostname}`);
    const nodeId = nodeRandom.id();
    const executor = options.executor ?? this.options.executor?.({ hostname, clock: this.clock, random: nodeRandom.fork('executor'), node: options }) ??
      createSimulatedExecutor({
        hostname,
        clock: this.clock,
        random: nodeRandom.fork('executor'),
        node: options,
        ...(this.options.behaviours !== undefined ? { behaviours: this.options.behaviours } : {}),
      });
    const process = new NodeProcess(nodeId, hostname, executor, {
      clock: this.clock,
      random: nodeRandom,
      managers: () => this.managers,
      ...(this.options.logger ? { logger: this.options.logger } : {}),
    });
    const record: NodeRecord = { nodeId, hostname, role, options, process, manager: undefined, endpoint: undefined, crashed: false };
    this.records.set(hostname, record);
    return record;
  }

  /** @internal */
  startManager(record: NodeRecord, raft: { readonly peers?: readonly string[]; readonly storage?: ManagerProcess['storage'] } | undefined, store?: ManagerProcess['store']): void {
    record.endpoint ??= this.network.endpoint(record.hostname);
    const manager = new ManagerProcess({
      address: record.hostname,
      clock: this.clock,
      random: this.random.fork(`manager-${record.hostname}-${this.clock.now()}`),
      endpoint: record.endpoint,
      raft: raft !== undefined,
      ...(raft?.peers !== undefined ? { peers: raft.peers } : {}),
      ...(raft?.storage !== undefined ? { storage: raft.storage } : {}),
      ...(store !== undefined ? { store } : {}),
      ...(this.options.tickInterval !== undefined ? { tickInterval: parseDuration(this.options.tickInterval, 'tickInterval') } : {}),
      ...(this.options.strategy !== undefined ? { strategy: this.options.strategy } : {}),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      onLeaderChange: () => this.leaderChanged(),
    });
    record.manager = manager;
    manager.start();
  }

  /** @internal */
  startAgent(record: NodeRecord): void {
    record.endpoint ??= this.network.endpoint(record.hostname);
    record.process.start(record.endpoint);
  }

  /** Creates the node objects (status unknown until their agents check in). @internal */
  async registerNodes(records: readonly NodeRecord[]): Promise<void> {
    await this.write((tx) => {
      for (const r of records) {
        if (tx.nodes.get(r.nodeId) !== undefined) continue;
        tx.nodes.create({
          id: r.nodeId,
          spec: {
            name: r.hostname,
            role: r.role,
            membership: 'accepted',
            availability: r.options.availability ?? 'active',
            ...(r.options.labels !== undefined ? { labels: r.options.labels } : {}),
          },
          role: r.role,
          status: { state: 'unknown' },
          ...(r.role === 'manager'
            ? { managerStatus: { raftId: r.hostname, addr: r.hostname, leader: this.leader === r.hostname, reachability: 'reachable' as const } }
            : {}),
        });
      }
    }, 'register nodes');
  }

  /**
   * Runs `fn` when the cluster closes, before its nodes stop (at once when it is closed
   * already); returns a function that unregisters it. @internal
   */
  onClose(fn: () => void | Promise<void>): () => void {
    if (this.closed) {
      void (async () => fn())().catch(() => undefined);
      return () => undefined;
    }
    this.closeHooks.add(fn);
    return () => this.closeHooks.delete(fn);
  }

  /** @internal */
  checkOpen(): void {
    if (this.closed) throw new ClosedError('cluster');
  }

  private leaderChanged(): void {
    if (this.closed) return;
    const next = [...this.records.values()].map((r) => r.manager).find((m) => m !== undefined && m.isLeader);
    if (next === this.leader$.value) return;
    this.leader$.next(next);
    this.resubscribe(next);
    this.emit('leader-changed', next?.address);
    // Waits on the system clock re-check on changes only, and waits for a leader need this one.
    for (const fn of [...this.changeListeners]) fn();
    if (next !== undefined) void this.markLeader(next.address);
  }

  private async markLeader(address: string): Promise<void> {
    try {
      await this.write((tx) => {
        for (const n of tx.nodes.all()) {
          if (n.managerStatus === undefined || n.managerStatus.leader === (n.managerStatus.addr === address)) continue;
          tx.nodes.update(n.id, (d) => {
            if (d.managerStatus) d.managerStatus.leader = d.managerStatus.addr === address;
          });
        }
      }, 'record the leader');
    } catch {
      // The next leader change records it again.
    }
  }

  private checkConverged(): void {
    if (this.touched.size === 0) return;
    const ids = [...this.touched];
    this.touched.clear();
    if (this.listenerCount('service-converged') === 0) return;
    let nodes: readonly Node[] | undefined;
    for (const id of ids) {
      const svc = this.view((tx) => tx.services.get(id));
      if (svc === undefined) {
        this.convergedAt.delete(id);
        continue;
      }
      const now = this.progress.converged(svc, () => (nodes ??= this.view((tx) => tx.nodes.all())));
      const was = this.convergedAt.get(id) === svc.specVersion;
      if (now && !was) {
        this.convergedAt.set(id, svc.specVersion);
        this.emit('service-converged', svc);
      } else if (!now && was) this.convergedAt.delete(id);
    }
  }

  private resubscribe(leader: ManagerProcess | undefined): void {
    this.internal?.unsubscribe();
    this.internal = undefined;
    if (leader === undefined) return;
    const { result, events } = leader.store.viewAndWatch((tx) => tx.tasks.all(), { kind: ['task', 'node', 'service'], bufferSize: FACADE_WATCH_BUFFER });
    this.progress.reset(result);
    this.internal = events.subscribe({
      next: (ev) => this.onEvent(ev),
      error: () => {
        if (!this.closed && this.leader$.value === leader) this.resubscribe(leader);
      },
    });
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.type === 'commit') {
      this.checkConverged();
      for (const fn of [...this.changeListeners]) fn();
      return;
    }
    if (ev.kind === 'task') {
      const before = ev.type === 'create' ? undefined : (ev.old as Task);
      const after = ev.type === 'delete' ? undefined : (ev.object as Task);
      this.touched.add((after ?? before)?.serviceId ?? '');
      this.progress.apply(before, after);
      if (after !== undefined && before?.status.state !== after.status.state) this.emit('task-state', after, before);
    } else if (ev.kind === 'node' && ev.type !== 'delete') {
      const node = ev.object as Node;
      const prev = ev.type === 'update' ? (ev.old as Node) : undefined;
      if (prev?.status.state !== node.status.state) {
        if (node.status.state === 'down') this.emit('node-down', node);
        if (node.status.state === 'ready') this.emit('node-ready', node);
      }
    } else if (ev.kind === 'service' && ev.type === 'update') {
      const svc = ev.object as Service;
      const prev = ev.old as Service;
      this.touched.add(svc.id);
      if (svc.updateStatus !== undefined && svc.updateStatus.state !== prev.updateStatus?.state) this.emit('update-status', svc, svc.updateStatus);
    }
  }
}

/**
 * A {@link Cluster} under virtual time with fault injection: `advance`, `kill`, the network's
 * `partition`, `isolate` and `heal`, and (as on every cluster) `crash` and `restart`.
 *
 * @public
 */
export class SimulatedCluster extends Cluster {
  /** The virtual clock (advance it, or let the waits do it). */
  declare readonly clock: VirtualClock;

  /** Moves virtual time forward by `duration`, running everything due. */
  async advance(duration: Duration): Promise<void> {
    await this.clock.advanceAsync(duration);
  }

  /** The simulated executor of a node (by hostname or id), for fault injection and scripting. */
  simulated(node: string): SimulatedExecutor {
    const executor = this.executor(node);
    if (!(executor instanceof SimulatedExecutor)) throw new InvalidStateError(`node ${node} does not run a simulated executor`);
    return executor;
  }

  /** Scripts how simulated containers behave on every node (see `SimulatedExecutor.setBehaviour`). */
  setBehaviour(target: SimulatedBehaviourTarget, behaviour: SimulatedBehaviour | undefined): void {
    for (const r of this.records.values()) {
      if (r.process.executor instanceof SimulatedExecutor) r.process.executor.setBehaviour(target, behaviour);
    }
  }

  /** Kills a task's container like `docker kill` (exit 137 unless `exitCode` is given); false if it runs nowhere. */
  kill(taskId: string, options: { readonly exitCode?: number } = {}): boolean {
    const task = this.tasks.inspect(taskId);
    if (task.nodeId === '') return false;
    return this.simulated(task.nodeId).kill(taskId, options);
  }

  /** Cuts a node off from every other node. */
  isolate(node: string): void {
    this.network.isolate(this.record(node).hostname);
  }

  /** Splits the network between two groups of nodes. */
  partition(a: readonly string[], b: readonly string[]): void {
    this.network.partition(a.map((n) => this.record(n).hostname), b.map((n) => this.record(n).hostname));
  }

  /** Heals every partition (or those of one node). */
  heal(node?: string): void {
    this.network.heal(node === undefined ? undefined : this.record(node).hostname);
  }
}
