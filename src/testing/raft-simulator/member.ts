import { MemoryRaftStorage, RaftDriver, type ConfChange, type ConfState, type RaftMessage, type RaftStorage } from '../../raft/index.js';
import { FileRaftStorage } from '../../raft/file-storage.js';
import { SimulatedFileSystem } from '../../raft/wal/index.js';
import type { Random, VirtualClock } from '../../runtime/index.js';
import type { InMemoryNetwork, TransportEndpoint } from '../../transport/index.js';
import { CheckedStorage } from './checked-storage.js';
import type { InvariantChecker } from './invariant-checker.js';
import { RecordingStateMachine } from './state-machine.js';
import type { DriverSettings, StorageKind } from './options.js';

/**
 * What a {@link SimulatedMember} needs from its simulation (the {@link RaftSimulation} provides it).
 *
 * @public
 */
export interface MemberHost {
  readonly clock: VirtualClock;
  readonly network: InMemoryNetwork<RaftMessage>;
  readonly random: Random;
  readonly checker: InvariantChecker;
  readonly driverSettings: DriverSettings;
  readonly storageKind: StorageKind;
  /** Records a simulation event in the trace. */
  note(text: string): void;
  /** `member` applied a membership change. */
  confChanged(member: SimulatedMember, change: ConfChange, config: ConfState, index: number): void;
  /** `member` applied a client value at `index`. */
  valueApplied(member: SimulatedMember, index: number, value: string): void;
}

/**
 * Where a member is in its life: `up` (running), `starting` (opening its storage), `down`
 * (crashed, storage kept), `removed` (shut down for good after its removal committed).
 *
 * @public
 */
export type MemberState = 'up' | 'starting' | 'down' | 'removed';

/**
 * One simulated raft member: a {@link RaftDriver} over a crash-modelling storage, its network
 * endpoint and its state machine. A crash stops the driver, closes the endpoint and drops what the
 * storage had not synced; a restart builds a new driver over the same storage, a new state machine
 * (restored from the storage's snapshot) and a new endpoint.
 *
 * @public
 */
export class SimulatedMember {
  state: MemberState = 'down';
  /** Incremented on every (re)start: `m1#3` is the third run of m1. */
  incarnation = 0;
  driver: RaftDriver | undefined;
  machine: RecordingStateMachine | undefined;
  storage: CheckedStorage | undefined;
  private endpoint: TransportEndpoint<RaftMessage> | undefined;
  private fs: SimulatedFileSystem | undefined;

  constructor(
    private readonly host: MemberHost,
    readonly id: string,
    private readonly peers: readonly string[] | undefined,
  ) {}

  /** The persisted storage (undefined before the first start). */
  get persisted(): RaftStorage | undefined {
    return this.storage?.target;
  }

  /** True while the driver runs. */
  get isUp(): boolean {
    return this.state === 'up';
  }

  /** True while this member runs and believes it leads. */
  get isLeader(): boolean {
    return this.state === 'up' && this.driver?.status().role === 'leader';
  }

  /**
   * Starts the member for the first time or after a crash. Memory storage starts at once;
   * file storage returns a promise that settles once the files are (re)opened and the driver runs.
   */
  start(): Promise<void> | undefined {
    if (this.state !== 'down') return undefined;
    if (this.host.storageKind === 'memory') {
      this.storage ??= this.checked(new MemoryRaftStorage());
      this.boot();
      return undefined;
    }
    this.state = 'starting';
    const fs = (this.fs ??= new SimulatedFileSystem({ random: this.host.random.fork(`${this.id}/fs`) }));
    return FileRaftStorage.open(fs, '/raft').then((opened) => {
      if (this.state !== 'starting') return;
      if (this.storage === undefined) this.storage = this.checked(opened);
      else this.storage.replace(opened);
      this.state = 'down';
      this.boot();
    });
  }

  /** Power loss: stop the driver, close the endpoint, lose every unsynced write. */
  crash(): void {
    if (this.state !== 'up') return;
    this.halt();
    this.state = 'down';
    const target = this.storage?.target;
    if (target instanceof MemoryRaftStorage) target.crash();
    this.fs?.crash();
    this.host.note(`${this.id} crashed`);
  }

  /** Shuts the member down for good (its removal committed, or the run ended). */
  remove(): void {
    if (this.state === 'removed') return;
    if (this.state === 'up') this.halt();
    this.state = 'removed';
  }

  private halt(): void {
    this.driver?.stop();
    this.endpoint?.close();
    this.driver = undefined;
    this.endpoint = undefined;
  }

  private checked(inner: RaftStorage & { sync?(): void | Promise<void> }): CheckedStorage {
    return new CheckedStorage(inner, (entries, prevTerm) => this.host.checker.appended(this.id, entries, prevTerm));
  }

  private boot(): void {
    const host = this.host;
    const storage = this.storage as CheckedStorage;
    this.incarnation++;
    const name = `${this.id}#${this.incarnation}`;
    const machine = new RecordingStateMachine({
      applied: (index, value, previous, hash) => {
        host.checker.applied(name, index, value, previous, hash, termAt(storage, index));
        host.valueApplied(this, index, value);
      },
      restored: (lastIndex, hash) => host.checker.restored(name, lastIndex, hash),
    });
    this.machine = machine;
    this.endpoint = host.network.endpoint(this.id);
    const s = host.driverSettings;
    const driver = new RaftDriver(
      {
        id: this.id,
        ...(this.peers === undefined ? {} : { peers: this.peers }),
        storage,
        endpoint: this.endpoint,
        clock: host.clock,
        random: host.random.fork(name),
        stateMachine: machine,
        tickInterval: s.tickInterval,
        electionTick: s.electionTick,
        heartbeatTick: s.heartbeatTick,
        snapshotInterval: s.snapshotInterval,
        logEntriesForSlowFollowers: s.logEntriesForSlowFollowers,
        proposalTimeout: s.proposalTimeout,
      },
      {
        onSoftState: (soft) => {
          if (soft.role !== 'leader') return;
          const status = driver.status();
          if (status.role !== 'leader') return;
          if (host.checker.leaderSeen(this.id, status.term)) {
            host.note(`${this.id} leads term ${status.term} (log ${storage.firstIndex()}..${storage.lastIndex()}, commit ${status.commit})`);
            host.checker.checkLeaderLog(this.id, status.term, storage);
          }
        },
        onConfChange: (change, config, index) => host.confChanged(this, change, config, index),
      },
    );
    this.driver = driver;
    this.state = 'up';
    host.note(`${name} started (log ${storage.firstIndex()}..${storage.lastIndex()}, term ${storage.initialState().hardState.term})`);
    driver.start();
  }
}

function termAt(storage: RaftStorage, index: number): number {
  try {
    return storage.term(index);
  } catch {
    return -1;
  }
}

