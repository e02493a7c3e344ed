/**
 * One seeded run of the replicated KV workload: managers replicating their stores through raft,
 * concurrent clients writing and reading keys through them while faults are injected (the safety
 * phase), then everything heals (the liveness phase): every client operation must complete, a
 * leader must emerge, one final linearizable read per key must succeed and every manager must hold
 * the same store at the same applied index. The history is then judged by the WGL checker.
 */
import { Random } from '../../../src/runtime/index.js';
import { HistoryRecorder, checkLinearizable, kvModel, type CheckResult, type Operation } from '../../support/linearizability/index.js';
import { KvClient, emptyClientStats, type ClientSettings, type ClientStats, type OperationMix } from './kv-client.js';
import type { CasMode, ReadMode } from './kv-operations.js';
import { ClusterViolation, StoreCluster, describeError, type StorageKind } from './store-cluster.js';
import { STORE_FAULT_PROFILES, StoreFaultInjector, drawStoreFaults, type StoreFaultProfile, type StoreFaultWeights } from './store-faults.js';

/** Options of {@link runKvScenario}; everything left out is drawn from the seed. */
export interface KvScenarioOptions {
  readonly seed: number;
  /** Default: the SIM_STORAGE environment variable, else `memory`. */
  readonly storage?: StorageKind;
  /** Managers. Default: 3 or 5, drawn. */
  readonly members?: number;
  /** Concurrent clients. Default: 2 to 5, drawn. */
  readonly clients?: number;
  /** Keys. Default: 1 to 4, drawn (few keys: contention on each). */
  readonly keys?: number;
  /** Length of the safety phase (client load and faults), ms. Default: 60 to 120 ticks (at most 6 s), drawn. */
  readonly safetyMs?: number;
  /** Inject faults. Default true. */
  readonly faults?: boolean;
  /** Which mix of faults. Default: drawn. */
  readonly profile?: StoreFaultProfile;
  /** Overrides of the profile's weights. */
  readonly faultWeights?: Partial<StoreFaultWeights>;
  /** Mean time between faults, ms. Default: 3 to 15 ticks, drawn. */
  readonly meanFaultIntervalMs?: number;
  /** Crashed managers stay down this long, ms. Default: 50 ms (or a tick, if shorter) to 25 ticks. */
  readonly downtime?: { readonly min: number; readonly max: number };
  readonly mix?: OperationMix;
  /** Default `barrier`. */
  readonly readMode?: ReadMode;
  /** Default `barrier`. */
  readonly casMode?: CasMode;
  /** Share of reads sent to a random manager. Default: 0 to 0.5, drawn. */
  readonly followerReads?: number;
  /** The driver's proposal (and read) timeout, ms. Default: 10 to 30 ticks, drawn. */
  readonly proposalTimeout?: number;
  /** Applied entries between snapshots. Default: 10 to 60, drawn (small, to exercise snapshots). */
  readonly snapshotInterval?: number;
  /** Driver tick, ms (elections take 10 to 20 ticks). Default: 10, 20, 50 or 100, drawn. */
  readonly tickInterval?: number;
  /** Search budget of the checker. Default 5,000,000 steps. */
  readonly maxSteps?: number;
}

/** Every setting of a run, resolved. */
export interface KvScenarioSettings {
  readonly seed: number;
  readonly storage: StorageKind;
  readonly members: number;
  readonly clients: number;
  readonly keys: readonly string[];
  readonly safetyMs: number;
  readonly faults: boolean;
  readonly profile: StoreFaultProfile;
  readonly faultWeights: StoreFaultWeights;
  readonly meanFaultIntervalMs: number;
  readonly downtime: { readonly min: number; readonly max: number };
  readonly proposalTimeout: number;
  readonly snapshotInterval: number;
  readonly logEntriesForSlowFollowers: number;
  readonly tickInterval: number;
  readonly client: ClientSettings;
  readonly maxSteps: number;
}

/** What a run produced. */
export interface KvScenarioResult {
  readonly settings: KvScenarioSettings;
  readonly history: Operation[];
  readonly check: CheckResult;
  readonly stats: ClientStats;
  /** The cluster check that failed (one leader per term, replicas agree, liveness), if any. */
  readonly violation?: ClusterViolation;
  readonly faults: number;
  readonly terms: number;
  readonly simulatedMs: number;
  /** Where each completed operation was served, by operation id. */
  readonly served: ReadonlyMap<number, string>;
  /** The last events of the run. */
  readonly trace: readonly string[];
  /** Digest of the run's events and history: equal for equal seeds. */
  readonly digest: string;
}

/** The storage kind the environment asks for (`SIM_STORAGE=file`), else memory. */
export function storageFromEnv(): StorageKind {
  return process.env.SIM_STORAGE === 'file' ? 'file' : 'memory';
}

/** Resolves options, drawing every value from the seed whether or not it is overridden (so an override never shifts the others). */
export function resolveKvScenario(options: KvScenarioOptions): KvScenarioSettings {
  const r = Random.fromSeed(options.seed).fork('settings');
  // Durations are drawn in ticks, so a run holds a few elections whatever its tick.
  const drawn = {
    members: r.chance(0.75) ? 3 : 5,
    clients: r.intBetween(2, 5),
    keys: r.intBetween(1, 4),
    safetyTicks: r.intBetween(60, 120),
    meanFaultTicks: r.intBetween(3, 15),
    followerReads: Math.round(r.next() * 50) / 100,
    proposalTimeoutTicks: r.intBetween(10, 30),
    snapshotInterval: r.intBetween(10, 60),
    keep: r.intBetween(2, 20),
    thinkMs: r.intBetween(5, 60),
    latencyMs: r.intBetween(0, 5),
    tickInterval: r.pick([10, 20, 50, 100]),
    profile: r.pick(Object.keys(STORE_FAULT_PROFILES) as StoreFaultProfile[]),
  };
  const tick = options.tickInterval ?? drawn.tickInterval;
  const profile = options.profile ?? drawn.profile;
  const keys = Array.from({ length: options.keys ?? drawn.keys }, (_, i) => String.fromCharCode(97 + i));
  return {
    seed: options.seed,
    storage: options.storage ?? storageFromEnv(),
    members: options.members ?? drawn.members,
    clients: options.clients ?? drawn.clients,
    keys,
    safetyMs: options.safetyMs ?? Math.min(6_000, drawn.safetyTicks * tick),
    faults: options.faults ?? true,
    profile,
    faultWeights: { ...STORE_FAULT_PROFILES[profile], ...options.faultWeights },
    meanFaultIntervalMs: options.meanFaultIntervalMs ?? drawn.meanFaultTicks * tick,
    downtime: options.downtime ?? { min: Math.min(50, tick), max: 25 * tick },
    proposalTimeout: options.proposalTimeout ?? drawn.proposalTimeoutTicks * tick,
    snapshotInterval: options.snapshotInterval ?? drawn.snapshotInterval,
    logEntriesForSlowFollowers: drawn.keep,
    tickInterval: tick,
    client: {
      keys,
      mix: options.mix ?? { read: 4, write: 3, cas: 2, delete: 1 },
      thinkMs: drawn.thinkMs,
      latencyMs: drawn.latencyMs,
      followerReads: options.followerReads ?? drawn.followerReads,
      readMode: options.readMode ?? 'barrier',
      casMode: options.casMode ?? 'barrier',
      maxAttempts: 6,
    },
    maxSteps: options.maxSteps ?? 5_000_000,
  };
}

/** Bounds of the liveness phase, in simulated milliseconds. */
const DRAIN_BOUND = 30_000;
const LEADER_BOUND = 20_000;
const FINAL_READ_BOUND = 30_000;
const CONVERGE_BOUND = 20_000;

/** Plays one seed; never throws for a finding (it is in `violation` or `check`). */
export async function runKvScenario(options: KvScenarioOptions): Promise<KvScenarioResult> {
  const s = resolveKvScenario(options);
  const root = Random.fromSeed(s.seed);
  const cluster = new StoreCluster({
    random: root.fork('cluster'),
    members: s.members,
    storage: s.storage,
    proposalTimeout: s.proposalTimeout,
    snapshotInterval: s.snapshotInterval,
    logEntriesForSlowFollowers: s.logEntriesForSlowFollowers,
    tickInterval: s.tickInterval,
  });
  const recorder = new HistoryRecorder({ now: () => cluster.clock.now() });
  const stats = emptyClientStats();
  const served = new Map<number, string>();
  let next = 0;
  const ctx = { cluster, recorder, settings: s.client, stats, served, nextValue: () => ++next, recent: new Map<string, number[]>() };
  const injector = new StoreFaultInjector(cluster, root.fork('targets'), s.downtime);
  // The first fault comes once a first leader has had time to emerge (about 15 ticks).
  const plan = s.faults ? drawStoreFaults(root.fork('plan'), s.safetyMs, s.meanFaultIntervalMs, s.faultWeights, 15 * s.tickInterval) : [];
  let violation: ClusterViolation | undefined;
  cluster.note(
    `seed ${s.seed}: ${s.members} managers (${s.storage}), ${s.clients} clients on keys [${s.keys.join(',')}], safety ${s.safetyMs}ms, tick ${s.tickInterval}ms, ${plan.length} faults (${s.profile}), proposal timeout ${s.proposalTimeout}ms, snapshot every ${s.snapshotInterval}`,
  );
  try {
    await cluster.start();
    const clients = Array.from({ length: s.clients }, (_, i) => new KvClient(`${i + 1}`, ctx, root.fork(`client/${i + 1}`)));
    for (const c of clients) c.start();
    const timers = injector.schedule(plan);
    await cluster.runFor(s.safetyMs);

    for (const t of timers) cluster.clock.clearTimeout(t);
    for (const c of clients) c.stop();
    injector.healAll();
    await expectWithin(cluster, () => clients.every((c) => !c.busy), DRAIN_BOUND, 'client operations did not all complete after healing');
    await expectWithin(cluster, () => cluster.managers.every((m) => m.isUp) && cluster.leaders().length === 1, LEADER_BOUND, 'no single leader after healing');
    const finals = s.keys.map((key) => new KvClient(`final-${key}`, ctx, root.fork(`final/${key}`)));
    const reads = s.keys.map((key, i) => (finals[i] as KvClient).readOnce(key, 40));
    await expectWithin(cluster, () => finals.every((c) => !c.busy), FINAL_READ_BOUND, 'final reads did not complete');
    await Promise.all(reads);
    const finalOps = recorder.history().filter((op) => String(op.client).startsWith('final-'));
    const unread = finalOps.filter((op) => op.status !== 'ok');
    if (unread.length > 0) throw new ClusterViolation('liveness', `final reads failed after healing: ${unread.map((op) => `${op.key}: ${op.error ?? op.status}`).join('; ')}`);
    const converged = (): boolean => {
      const applied = cluster.managers.map((m) => m.driver?.appliedIndex ?? -1);
      return cluster.managers.every((m) => m.isUp) && applied.every((a) => a === applied[0]);
    };
    await expectWithin(cluster, converged, CONVERGE_BOUND, 'managers did not reach the same applied index after healing');
    const replicas = cluster.replicas();
    const first = replicas[0];
    for (const r of replicas) {
      if (first !== undefined && r.bytes !== first.bytes) {
        throw new ClusterViolation('replicas-agree', `after healing ${first.id} and ${r.id} both applied index ${r.applied} but their stores differ`);
      }
    }
    cluster.note(`converged: every manager applied index ${first?.applied ?? 0} with identical stores`);
  } catch (err) {
    violation = err instanceof ClusterViolation ? err : new ClusterViolation('exception', `the run threw: ${describeError(err)}`);
  } finally {
    cluster.close();
  }
  const history = recorder.history();
  const check = checkLinearizable(history, kvModel(), { maxSteps: s.maxSteps });
  const digest = `${cluster.trace.digest()}-${hashText(JSON.stringify(recorder))}`;
  return {
    settings: s,
    history,
    check,
    stats,
    ...(violation === undefined ? {} : { violation }),
    faults: plan.length,
    terms: cluster.terms,
    simulatedMs: cluster.clock.now(),
    served,
    trace: cluster.trace.recent(),
    digest,
  };
}

async function expectWithin(cluster: StoreCluster, predicate: () => boolean, ms: number, what: string): Promise<void> {
  if (!(await cluster.runUntil(predicate, ms))) throw new ClusterViolation('liveness', `${what} within ${ms}ms`);
}

function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
