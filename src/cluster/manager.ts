import { MemoryRaftStorage, NotLeaderError, createReplicatedStore, type RaftDriver, type RaftMessage } from '../raft/index.js';
import type { Clock, Logger, Random } from '../runtime/index.js';
import { Store, type WriteTx } from '../store/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { createDispatcher, startLeaderLoops, type Dispatcher, type LeaderLoops, type SchedulingStrategyOption } from './wiring.js';

/** How a manager is built. @internal */
export interface ManagerSettings {
  readonly address: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly endpoint: TransportEndpoint;
  /** Whether the manager replicates through raft (false: a single manager with a local store). */
  readonly raft: boolean;
  /** Raft peers (addresses) to bootstrap a new group; absent when joining one or restarting. */
  readonly peers?: readonly string[];
  /** The store of a manager without raft, kept across a simulated restart. */
  readonly store?: Store;
  /** Storage to restart from (a crashed manager's), for raft managers. */
  readonly storage?: MemoryRaftStorage;
  readonly tickInterval?: number;
  readonly strategy?: SchedulingStrategyOption;
  readonly heartbeatPeriod?: number;
  readonly nodeDownPeriod?: number;
  readonly logger?: Logger;
  /** Called when this manager's view of the leader changes. */
  readonly onLeaderChange?: (manager: ManagerProcess) => void;
}

/**
 * One manager: its store (replicated through raft when there are peers), its dispatcher, and
 * the leader-only loops it runs while it leads. @internal
 */
export class ManagerProcess {
  readonly address: string;
  readonly store: Store;
  readonly driver: RaftDriver | undefined;
  readonly storage: MemoryRaftStorage | undefined;
  readonly dispatcher: Dispatcher;
  private loops: LeaderLoops | undefined;
  private leading = false;
  private stopped = false;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly settings: ManagerSettings) {
    this.address = settings.address;
    if (settings.raft) {
      this.storage = settings.storage ?? new MemoryRaftStorage();
      const replicated = createReplicatedStore(
        {
          id: settings.address,
          ...(settings.peers !== undefined ? { peers: settings.peers } : {}),
          storage: this.storage,
          endpoint: settings.endpoint as TransportEndpoint<RaftMessage>,
          clock: settings.clock,
          random: settings.random.fork('raft'),
          ...(settings.tickInterval !== undefined ? { tickInterval: settings.tickInterval } : {}),
        },
        {
          onSoftState: () => this.leadershipChanged(),
          onFatalError: (err) => settings.logger?.warn?.('raft stopped', { manager: this.address, error: String(err) }),
        },
      );
      this.store = replicated.store;
      this.driver = replicated.driver;
    } else {
      this.store = settings.store ?? new Store({ clock: settings.clock });
      this.driver = undefined;
      this.storage = undefined;
    }
    this.dispatcher = createDispatcher({
      store: this.store,
      clock: settings.clock,
      random: settings.random.fork('dispatcher'),
      endpoint: settings.endpoint,
      leaderAddress: () => this.leaderAddress,
      ...(settings.logger ? { logger: settings.logger } : {}),
      ...(settings.heartbeatPeriod !== undefined ? { heartbeatPeriod: settings.heartbeatPeriod } : {}),
      ...(settings.nodeDownPeriod !== undefined ? { nodeDownPeriod: settings.nodeDownPeriod } : {}),
    });
  }

  /** True while this manager is the raft leader (always, for a manager without raft). */
  get isLeader(): boolean {
    if (this.stopped) return false;
    return this.driver === undefined ? true : this.driver.isLeader;
  }

  /** The leader's address as this manager knows it. */
  get leaderAddress(): string | undefined {
    if (this.stopped) return undefined;
    if (this.driver === undefined) return this.address;
    return this.driver.leader ?? undefined;
  }

  /** True once stopped (or crashed). */
  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    this.dispatcher.start();
    if (this.driver !== undefined) this.driver.start();
    else this.leadershipChanged();
  }

  /** Stops everything; the raft storage is kept for a restart. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.driver?.stop();
    this.leadershipChanged();
    await this.transition;
    await this.dispatcher.stop();
  }

  /** Writes through this manager, which must be the leader. */
  async write<T>(fn: (tx: WriteTx) => T): Promise<T> {
    if (!this.isLeader) throw new NotLeaderError(this.leaderAddress ?? null);
    return this.store.update(fn);
  }

  private leadershipChanged(): void {
    const leading = this.isLeader;
    if (leading !== this.leading) {
      this.leading = leading;
      this.transition = this.transition.then(() => (leading ? this.becomeLeader() : this.stepDown()));
    }
    this.settings.onLeaderChange?.(this);
  }

  private becomeLeader(): void {
    if (!this.leading || this.stopped) return;
    this.settings.logger?.info?.('manager leads', { manager: this.address });
    this.dispatcher.activate();
    this.loops = startLeaderLoops(
      { store: this.store, clock: this.settings.clock, random: this.settings.random.fork(`leader-${this.settings.clock.now()}`), ...(this.settings.logger ? { logger: this.settings.logger } : {}) },
      this.settings.strategy,
    );
  }

  private async stepDown(): Promise<void> {
    this.dispatcher.deactivate();
    const loops = this.loops;
    this.loops = undefined;
    await loops?.stop();
  }
}
