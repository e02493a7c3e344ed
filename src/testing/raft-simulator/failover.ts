import { parseDuration, Random, type Duration, type Seed } from '../../runtime/index.js';
import { RaftSimulation } from './simulation.js';

/**
 * Options of {@link measureFailover}. Driver settings default to the driver's own defaults
 * (100 ms tick, election after 10 to 20 ticks, heartbeat every tick), so the figure is what a
 * default deployment sees.
 *
 * @public
 */
export interface FailoverOptions {
  /** The seed of the run. */
  readonly seed: Seed;
  /** Voters. Default 3. */
  readonly members?: number;
  /** Default 100 ms. */
  readonly tickInterval?: Duration;
  /** Default 10. */
  readonly electionTick?: number;
  /** Default 1. */
  readonly heartbeatTick?: number;
  /** Time between client proposals, before and after the crash. Default 20 ms. */
  readonly clientInterval?: Duration;
  /** Give up (and reject) when no new leader commits within this. Default 30 s. */
  readonly bound?: Duration;
}

/**
 * One failover, in simulated milliseconds from the leader's crash.
 *
 * @public
 */
export interface FailoverMeasurement {
  /** The seed, as given. */
  readonly seed: string;
  /** The leader that was crashed. */
  readonly crashedLeader: string;
  /** The leader that took over. */
  readonly newLeader: string;
  /** The new leader's term. */
  readonly term: number;
  /** Until a new leader was elected. */
  readonly electedAfterMs: number;
  /** Until the new leader committed its first entry (the first commit under it). */
  readonly committedAfterMs: number;
}

/**
 * Measures one leader failover on a fault-free simulated cluster: elects a leader, runs client
 * load for a warm-up drawn from the seed (1 to 2 s, so the crash falls at a random point of the
 * tick and heartbeat cycle), crashes the leader, and times the election of a new leader and its
 * first commit. The same seed gives the same figures. Invariants are checked throughout, as in
 * {@link RaftSimulation.run}.
 *
 * @example
 * ```ts
 * const runs = await Promise.all(seeds.map((seed) => measureFailover({ seed })));
 * const p99 = percentile(runs.map((r) => r.committedAfterMs), 0.99);
 * ```
 * @public
 */
export async function measureFailover(options: FailoverOptions): Promise<FailoverMeasurement> {
  const sim = new RaftSimulation({
    seed: options.seed,
    members: options.members ?? 3,
    faults: false,
    snapshotInterval: 10_000,
    logEntriesForSlowFollowers: 500,
    proposalTimeout: '10s',
    ...(options.tickInterval === undefined ? {} : { tickInterval: options.tickInterval }),
    ...(options.electionTick === undefined ? {} : { electionTick: options.electionTick }),
    ...(options.heartbeatTick === undefined ? {} : { heartbeatTick: options.heartbeatTick }),
  });
  const bound = parseDuration(options.bound ?? '30s', 'bound');
  const interval = parseDuration(options.clientInterval ?? 20, 'clientInterval');
  const r = Random.fromSeed(options.seed).fork('failover');
  try {
    await sim.start();
    if (!(await sim.runUntil(() => sim.leaders().length === 1, bound))) return sim.checker.fail('liveness', `no first leader within ${bound}ms`);
    const client = sim.startClient('w', interval);
    await sim.runFor(1_000 + r.int(1_000));
    const old = sim.leaders()[0];
    const oldTerm = old?.driver?.status().term;
    if (old === undefined || oldTerm === undefined) return sim.checker.fail('liveness', 'the leader vanished during warm-up');
    const crashedAt = sim.clock.now();
    old.crash();
    let elected: { id: string; term: number; at: number } | undefined;
    let committedAt: number | undefined;
    const done = (): boolean => {
      for (const m of sim.members()) {
        if (m === old || !m.isUp) continue;
        const st = m.driver?.status();
        if (st === undefined || st.role !== 'leader' || st.term <= oldTerm) continue;
        if (elected === undefined || elected.id !== m.id || elected.term !== st.term) elected = { id: m.id, term: st.term, at: sim.clock.now() };
        if (st.commit > 0 && m.persisted?.term(st.commit) === st.term) {
          committedAt = sim.clock.now();
          return true;
        }
      }
      return false;
    };
    if (!(await sim.runUntil(done, bound)) || elected === undefined || committedAt === undefined) {
      return sim.checker.fail('liveness', `no new leader committed within ${bound}ms of crashing ${old.id} (${sim.describeMembers()})`);
    }
    client.stop();
    return {
      seed: String(options.seed),
      crashedLeader: old.id,
      newLeader: elected.id,
      term: elected.term,
      electedAfterMs: elected.at - crashedAt,
      committedAfterMs: committedAt - crashedAt,
    };
  } finally {
    sim.stop();
  }
}
