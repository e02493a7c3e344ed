/**
 * A cluster of managers whose stores are replicated through raft (`createReplicatedStore`), on one
 * VirtualClock and one InMemoryNetwork, with crashes and restarts over memory or file storage.
 * Every manager is checked as the cluster runs: at most one leader per term, and any two managers
 * that have applied the same raft index hold the same store.
 */
import { FileRaftStorage, MemoryRaftStorage, SimulatedFileSystem, createReplicatedStore, type DriverStorage, type RaftDriver, type RaftMessage } from '../../../src/raft/index.js';
import { VirtualClock, type Random } from '../../../src/runtime/index.js';
import { InMemoryNetwork, type TransportEndpoint } from '../../../src/transport/index.js';
import { encodeSnapshot, type Store } from '../../../src/store/index.js';
import { RunTrace } from './run-trace.js';

/** Where managers persist raft state: memory (crash drops unsynced writes) or files on a crashable simulated disk. */
export type StorageKind = 'memory' | 'file';

/** Settings of a {@link StoreCluster}. */
export interface StoreClusterOptions {
  readonly random: Random;
  readonly members: number;
  readonly storage: StorageKind;
  readonly proposalTimeout: number;
  readonly snapshotInterval: number;
  readonly logEntriesForSlowFollowers: number;
  /** Driver tick, ms. */
  readonly tickInterval: number;
  /** Ring size of the event trace kept for failure reports. */
  readonly traceSize?: number;
}

/** A safety property the cluster broke; carries the recent trace. */
export class ClusterViolation extends Error {
  constructor(
    readonly property: 'one-leader-per-term' | 'replicas-agree' | 'exception' | 'liveness',
    detail: string,
  ) {
    super(`${property}: ${detail}`);
    this.name = 'ClusterViolation';
  }
}

/** One manager: its current incarnation's driver and store, over storage that survives crashes. */
export class Manager {
  state: 'up' | 'starting' | 'down' = 'down';
  incarnation = 0;
  store: Store | undefined;
  driver: RaftDriver | undefined;
  storage: DriverStorage | undefined;
  private endpoint: TransportEndpoint<RaftMessage> | undefined;
  private fs: SimulatedFileSystem | undefined;

  constructor(
    private readonly cluster: StoreCluster,
    readonly id: string,
    private readonly peers: readonly string[],
  ) {}

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** Up and believing it leads. */
  get isLeader(): boolean {
    return this.state === 'up' && this.driver?.isLeader === true;
  }

  /** Starts (or restarts after a crash) over the same storage. File storage reopens asynchronously. */
  start(): void {
    if (this.state !== 'down') return;
    const c = this.cluster;
    if (c.options.storage === 'memory') {
      this.storage ??= new MemoryRaftStorage();
      this.boot();
      return;
    }
    this.state = 'starting';
    const fs = (this.fs ??= new SimulatedFileSystem({ random: c.options.random.fork(`${this.id}/fs`) }));
    FileRaftStorage.open(fs, '/raft').then(
      (storage) => {
        if (this.state !== 'starting') return;
        this.storage = storage;
        this.boot();
      },
      (err: unknown) => c.fail(new ClusterViolation('exception', `${this.id} could not reopen its storage: ${describeError(err)}`)),
    );
  }

  /** Power loss: the driver stops (pending writes and reads fail with ClosedError), unsynced writes are lost. */
  crash(): void {
    if (this.state === 'down') return;
    const wasUp = this.state === 'up';
    this.state = 'down';
    if (!wasUp) return;
    this.driver?.stop();
    this.endpoint?.close();
    this.endpoint = undefined;
    if (this.storage instanceof MemoryRaftStorage) this.storage.crash();
    this.fs?.crash();
    this.cluster.note(`${this.id} crashed`);
  }

  /** Stops for good at the end of a run, without losing anything. */
  shutdown(): void {
    if (this.state === 'up') this.driver?.stop();
    this.endpoint?.close();
    this.state = 'down';
  }

  /** A digest of the replicated tables this workload writes, with the store index. */
  digest(): string {
    const store = this.store;
    if (store === undefined) return '';
    return store.view((tx) => `${tx.index}|${tx.configs.all().map((c) => `${c.id}=${c.spec.labels?.value ?? ''}@${c.meta.version}`).sort().join(',')}`);
  }

  private boot(): void {
    const c = this.cluster;
    const storage = this.storage as DriverStorage;
    this.incarnation++;
    const name = `${this.id}#${this.incarnation}`;
    const inner = c.network.endpoint(this.id);
    this.endpoint = inner;
    const endpoint: TransportEndpoint<RaftMessage> = {
      address: inner.address,
      get closed() {
        return inner.closed;
      },
      send: (to, message) => {
        if (!c.rules.blocks(this.id, to, message)) inner.send(to, message);
      },
      onMessage: (handler) => inner.onMessage(handler),
      close: () => inner.close(),
    };
    const replicated = createReplicatedStore(
      {
        id: this.id,
        peers: this.peers,
        storage,
        endpoint,
        clock: c.clock,
        random: c.options.random.fork(name),
        proposalTimeout: c.options.proposalTimeout,
        tickInterval: c.options.tickInterval,
        snapshotInterval: c.options.snapshotInterval,
        logEntriesForSlowFollowers: c.options.logEntriesForSlowFollowers,
      },
      {
        onSoftState: (soft) => {
          // Soft state is reported only once started, after this.driver is set.
          if (soft.role === 'leader' && this.driver !== undefined) c.leaderSeen(this.id, this.driver.status().term);
        },
        onFatalError: (err) => c.fail(new ClusterViolation('exception', `${name} stopped on a storage failure: ${describeError(err)}`)),
      },
    );
    this.store = replicated.store;
    this.driver = replicated.driver;
    this.state = 'up';
    c.note(`${name} started (log ${storage.firstIndex()}..${storage.lastIndex()}, snapshot ${storage.snapshot().metadata.index})`);
    replicated.driver.start();
  }
}

/** Which raft messages a {@link MessageRules} rule drops (absent fields match anything). */
export interface MessageRule {
  readonly from?: string;
  readonly to?: string;
  readonly type?: RaftMessage['type'];
}

/**
 * Drops raft messages by sender, receiver and type when they are sent: finer than network
 * partitions, for scenarios that need, say, appends to pass while heartbeat answers are lost.
 */
export class MessageRules {
  private readonly rules = new Set<MessageRule>();

  /** Drops every message `rule` matches until the returned function is called. */
  drop(rule: MessageRule): () => void {
    const r = { ...rule };
    this.rules.add(r);
    return () => void this.rules.delete(r);
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.clear();
  }

  /** Whether a message from `from` to `to` is dropped. */
  blocks(from: string, to: string, message: RaftMessage): boolean {
    for (const r of this.rules) {
      if ((r.from === undefined || r.from === from) && (r.to === undefined || r.to === to) && (r.type === undefined || r.type === message.type)) return true;
    }
    return false;
  }
}

/** Resolves after every queued promise callback has run (one turn of the event loop). */
const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How often (in simulated milliseconds) replicas at the same applied index are compared. */
const AGREEMENT_CHECK_EVERY = 25;

/**
 * The managers, their clock and network. {@link StoreCluster.runFor} and
 * {@link StoreCluster.runUntil} advance virtual time timer by timer, letting promise callbacks run
 * after each, and throw a {@link ClusterViolation} as soon as a check fails.
 */
export class StoreCluster {
  readonly clock = new VirtualClock();
  readonly network: InMemoryNetwork<RaftMessage>;
  readonly managers: Manager[];
  readonly trace: RunTrace;
  /** Message-level faults on top of the network's. */
  readonly rules = new MessageRules();
  private readonly leadersByTerm = new Map<number, string>();
  private violation: ClusterViolation | undefined;
  private nextAgreementCheck = 0;

  constructor(readonly options: StoreClusterOptions) {
    this.trace = new RunTrace(options.traceSize ?? 80);
    this.network = new InMemoryNetwork<RaftMessage>({ clock: this.clock, random: options.random.fork('net'), cloneMessages: false });
    const ids = Array.from({ length: options.members }, (_, i) => `m${i + 1}`);
    this.managers = ids.map((id) => new Manager(this, id, ids));
  }

  /** The manager with this id. */
  manager(id: string): Manager | undefined {
    return this.managers.find((m) => m.id === id);
  }

  /** Managers that are up and believe they lead. */
  leaders(): Manager[] {
    return this.managers.filter((m) => m.isLeader);
  }

  /** Records a line in the trace. */
  note(text: string): void {
    this.trace.record(this.clock.now(), text);
  }

  /** Records a failure; the run loop throws it. */
  fail(violation: ClusterViolation): void {
    this.violation ??= violation;
  }

  /** Starts every manager at a random point of the first tick, then waits for them to be up. */
  async start(): Promise<void> {
    const jitter = this.options.random.fork('start');
    for (const m of this.managers) this.clock.setTimeout(() => m.start(), jitter.int(100));
    if (!(await this.runUntil(() => this.managers.every((m) => m.isUp), 1_000))) {
      throw new ClusterViolation('liveness', 'managers did not start');
    }
  }

  /** A manager of `term` became leader: no other may have led that term. */
  leaderSeen(id: string, term: number): void {
    const before = this.leadersByTerm.get(term);
    if (before === undefined) {
      this.leadersByTerm.set(term, id);
      this.note(`${id} leads term ${term}`);
    } else if (before !== id) {
      this.fail(new ClusterViolation('one-leader-per-term', `${before} and ${id} both led term ${term}`));
    }
  }

  /** Terms in which a leader was seen. */
  get terms(): number {
    return this.leadersByTerm.size;
  }

  /**
   * Managers that have applied the same raft index must hold the same store. Compares every group
   * of up managers with equal applied indexes.
   */
  checkAgreement(): void {
    const byIndex = new Map<number, { id: string; digest: string }>();
    for (const m of this.managers) {
      if (!m.isUp || m.driver === undefined) continue;
      const applied = m.driver.appliedIndex;
      const digest = m.digest();
      const seen = byIndex.get(applied);
      if (seen === undefined) byIndex.set(applied, { id: m.id, digest });
      else if (seen.digest !== digest) {
        this.fail(new ClusterViolation('replicas-agree', `${seen.id} and ${m.id} both applied index ${applied} but hold different stores:\n  ${seen.id}: ${seen.digest}\n  ${m.id}: ${digest}`));
      }
    }
  }

  /** The encoded full store of every up manager, with its applied index (for the final comparison). */
  replicas(): { id: string; applied: number; bytes: string }[] {
    return this.managers.flatMap((m) => (m.isUp && m.store !== undefined && m.driver !== undefined ? [{ id: m.id, applied: m.driver.appliedIndex, bytes: Buffer.from(encodeSnapshot(m.store.snapshot())).toString('base64') }] : []));
  }

  /** Runs for `ms` of simulated time. */
  async runFor(ms: number): Promise<void> {
    await this.runUntil(() => false, ms);
  }

  /**
   * Runs until `predicate` holds (checked after every timer and the promise callbacks it caused)
   * or `ms` of simulated time pass; returns whether it holds.
   */
  async runUntil(predicate: () => boolean, ms: number): Promise<boolean> {
    const clock = this.clock;
    const deadline = clock.now() + ms;
    await drain();
    this.throwIfFailed();
    while (!predicate()) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > deadline) {
        clock.advanceTo(deadline);
        await drain();
        this.throwIfFailed();
        return predicate();
      }
      try {
        clock.advance(Math.max(0, next - clock.now()));
      } catch (err) {
        this.fail(new ClusterViolation('exception', `a timer callback threw: ${describeError(err)}`));
      }
      await drain();
      if (clock.now() >= this.nextAgreementCheck) {
        this.nextAgreementCheck = clock.now() + AGREEMENT_CHECK_EVERY;
        this.checkAgreement();
      }
      this.throwIfFailed();
    }
    return true;
  }

  /** Stops every manager and the network. */
  close(): void {
    for (const m of this.managers) m.shutdown();
    this.network.close();
  }

  private throwIfFailed(): void {
    if (this.violation !== undefined) throw this.violation;
  }
}

/** An error as one line. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
