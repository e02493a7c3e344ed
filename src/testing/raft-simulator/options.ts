import { parseDuration, Random, type Duration, type Seed } from '../../runtime/index.js';

/**
 * Which storage simulated members persist to: `memory` ({@link MemoryRaftStorage}, whose crash
 * drops unsynced writes) or `file` (FileRaftStorage on a crashable SimulatedFileSystem).
 *
 * @public
 */
export type StorageKind = 'memory' | 'file';

/**
 * Relative weights of the faults a simulation draws (0 turns one off).
 *
 * @public
 */
export interface FaultWeights {
  /** Split the members into two sides, both ways. */
  readonly partition: number;
  /** Cut every link from one group to another, one way only. */
  readonly partitionOneWay: number;
  /** Cut the current leader off from everyone. */
  readonly isolateLeader: number;
  /** Remove every partition. */
  readonly heal: number;
  /** Change the network-wide drop, duplicate, reorder rates and latency. */
  readonly messageFaults: number;
  /** Make one link (both ways) very lossy or slow. */
  readonly linkFaults: number;
  /** Back to a clean network (no rates, default latency, no link faults). */
  readonly calm: number;
  /** Crash a random member (it restarts after a random downtime). */
  readonly crash: number;
  /** Crash the leader. */
  readonly crashLeader: number;
  /** Restart a crashed member now. */
  readonly restart: number;
  /** Ask the leader to hand leadership to another voter. */
  readonly transferLeadership: number;
  /** Remove a voter (while more than three remain) or a learner. */
  readonly removeMember: number;
  /** Add a brand-new voter. */
  readonly addMember: number;
  /** Add a brand-new learner. */
  readonly addLearner: number;
  /** Promote a learner to voter. */
  readonly promoteLearner: number;
  /** Demote a voter to learner, the leader included (while more than three voters remain). */
  readonly demoteVoter: number;
}

/**
 * The default fault mix.
 *
 * @public
 */
export const DEFAULT_FAULT_WEIGHTS: FaultWeights = Object.freeze({
  partition: 6,
  partitionOneWay: 4,
  isolateLeader: 5,
  heal: 8,
  messageFaults: 6,
  linkFaults: 4,
  calm: 3,
  crash: 5,
  crashLeader: 4,
  restart: 3,
  transferLeadership: 4,
  removeMember: 2,
  addMember: 2,
  addLearner: 2,
  promoteLearner: 2,
  demoteVoter: 2,
});

/**
 * Options of a {@link RaftSimulation}. Only the seed is required: every option left out is drawn
 * from it (or takes the documented default), so a seed alone replays a run.
 *
 * @public
 */
export interface RaftSimulationOptions {
  /** The one seed everything derives from; printed as `SEED=<seed>` on failure. */
  readonly seed: Seed;
  /** Founding voters. Default: 3 to 5, drawn. */
  readonly members?: number;
  /** Length of the safety phase (faults and client load). Default: 10 to 25 s, drawn. */
  readonly safetyPhase?: Duration;
  /** The liveness phase must elect a leader and commit a new write within this. Default 30 s. */
  readonly livenessBound?: Duration;
  /** Default `memory`. */
  readonly storage?: StorageKind;
  /** Inject faults during the safety phase. Default true. */
  readonly faults?: boolean;
  /** Overrides of {@link DEFAULT_FAULT_WEIGHTS}. */
  readonly faultWeights?: Partial<FaultWeights>;
  /** Mean time between faults. Default: 300 to 1500 ms, drawn. */
  readonly meanFaultInterval?: Duration;
  /** Time between client proposals. Default: 10 to 80 ms, drawn. */
  readonly clientInterval?: Duration;
  /** Driver tick. Default 100 ms (the driver's default). */
  readonly tickInterval?: Duration;
  /** Default 10 (the driver's default). */
  readonly electionTick?: number;
  /** Default 1 (the driver's default). */
  readonly heartbeatTick?: number;
  /** Applied entries between snapshots. Default: 10 to 80, drawn (small, to exercise snapshots). */
  readonly snapshotInterval?: number;
  /** Entries kept behind a snapshot. Default: 2 to 20, drawn. */
  readonly logEntriesForSlowFollowers?: number;
  /** Default 5 s. */
  readonly proposalTimeout?: Duration;
  /** Copy every message with `structuredClone`, as a wire would. Default false (faster; raft treats messages as immutable). */
  readonly cloneMessages?: boolean;
  /** Events kept for failure reports. Default 60. */
  readonly traceSize?: number;
  /** Work-arounds for known raft bugs, applied by the simulation from outside raft. Default: none. */
  readonly workarounds?: SimulationWorkarounds;
}

/**
 * Work-arounds for known raft bugs, so a seed sweep can keep looking for other bugs while a known
 * one awaits its fix. Each is off by default.
 *
 * @public
 */
export interface SimulationWorkarounds {
  /**
   * After a member applies the addition of a member (voter or learner) while its log is
   * compacted, take a snapshot at once, so the snapshot the leader sends the newcomer includes
   * it. Without it, a member added after the latest snapshot refuses that snapshot ("does not
   * include this node") and never catches up until the next snapshot is taken.
   */
  readonly snapshotOnMemberAdd?: boolean;
}

/** Settings of every member's driver, in milliseconds and counts. @public */
export interface DriverSettings {
  readonly tickInterval: number;
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly snapshotInterval: number;
  readonly logEntriesForSlowFollowers: number;
  readonly proposalTimeout: number;
}

/**
 * Every setting of a run, resolved from the options and the seed.
 *
 * @public
 */
export interface ResolvedSimulationOptions {
  /** The seed as given, for `SEED=` lines. */
  readonly seed: string;
  readonly members: number;
  readonly safetyPhase: number;
  readonly livenessBound: number;
  readonly storage: StorageKind;
  readonly faults: boolean;
  readonly faultWeights: FaultWeights;
  readonly meanFaultInterval: number;
  readonly clientInterval: number;
  readonly driver: DriverSettings;
  readonly cloneMessages: boolean;
  readonly traceSize: number;
  readonly workarounds: SimulationWorkarounds;
}

/**
 * Resolves options, drawing what was left out from the seed's `config` stream.
 *
 * @public
 */
export function resolveSimulationOptions(options: RaftSimulationOptions): ResolvedSimulationOptions {
  const r = Random.fromSeed(options.seed).fork('config');
  // Draw every value, used or not, so an explicit option never shifts the others.
  const drawn = {
    members: r.intBetween(3, 5),
    safetyPhase: r.intBetween(10_000, 25_000),
    meanFaultInterval: r.intBetween(300, 1500),
    clientInterval: r.intBetween(10, 80),
    snapshotInterval: r.intBetween(10, 80),
    keep: r.intBetween(2, 20),
  };
  const ms = (d: Duration | undefined, fallback: number, name: string): number => (d === undefined ? fallback : parseDuration(d, name));
  return {
    seed: String(options.seed),
    members: options.members ?? drawn.members,
    safetyPhase: ms(options.safetyPhase, drawn.safetyPhase, 'safetyPhase'),
    livenessBound: ms(options.livenessBound, 30_000, 'livenessBound'),
    storage: options.storage ?? 'memory',
    faults: options.faults ?? true,
    faultWeights: { ...DEFAULT_FAULT_WEIGHTS, ...options.faultWeights },
    meanFaultInterval: ms(options.meanFaultInterval, drawn.meanFaultInterval, 'meanFaultInterval'),
    clientInterval: ms(options.clientInterval, drawn.clientInterval, 'clientInterval'),
    driver: {
      tickInterval: ms(options.tickInterval, 100, 'tickInterval'),
      electionTick: options.electionTick ?? 10,
      heartbeatTick: options.heartbeatTick ?? 1,
      snapshotInterval: options.snapshotInterval ?? drawn.snapshotInterval,
      logEntriesForSlowFollowers: options.logEntriesForSlowFollowers ?? drawn.keep,
      proposalTimeout: ms(options.proposalTimeout, 5_000, 'proposalTimeout'),
    },
    cloneMessages: options.cloneMessages ?? false,
    traceSize: options.traceSize ?? 60,
    workarounds: { ...options.workarounds },
  };
}
