import type { ConfChange, ConfState, RaftMessage } from '../../raft/index.js';
import { Random, VirtualClock, flushMicrotasks } from '../../runtime/index.js';
import { InMemoryNetwork, type NetworkEvent, type TrafficStats } from '../../transport/index.js';
import { LoadClient, type ClientStats } from './client.js';
import { drawFaultPlan } from './fault-plan.js';
import { FaultInjector, type FaultTarget } from './fault-injector.js';
import { InvariantChecker } from './invariant-checker.js';
import { InvariantViolationError } from './invariant-error.js';
import { SimulatedMember, type MemberHost } from './member.js';
import { resolveSimulationOptions, type RaftSimulationOptions, type ResolvedSimulationOptions } from './options.js';
import { EventTrace, formatTime } from './trace.js';

/**
 * What a completed {@link RaftSimulation.run} reports.
 *
 * @public
 */
export interface SimulationResult {
  /** The seed, as given. */
  readonly seed: string;
  /** Digest of every event of the run: equal for equal seeds. */
  readonly digest: string;
  /** Events recorded (messages delivered or dropped, faults, leader changes, ...). */
  readonly events: number;
  /** Simulated time the run took, in milliseconds. */
  readonly simulatedMs: number;
  /** Faults applied in the safety phase. */
  readonly faults: number;
  /** Terms in which a leader was seen. */
  readonly terms: number;
  /** Indexes known committed (applied somewhere). */
  readonly committed: number;
  /** The safety-phase client's outcomes. */
  readonly client: ClientStats;
  /** From healing everything to the first new write committing, in milliseconds. */
  readonly livenessMs: number;
  /** Voters and learners at the end. */
  readonly finalConfig: ConfState;
  /** Network counters. */
  readonly network: TrafficStats;
  /** The settings the run used. */
  readonly settings: ResolvedSimulationOptions;
}

const CHUNK_MS = 100;
const LOG_SCAN_EVERY_MS = 5_000;
const MESSAGE_RING = 16;

/**
 * A deterministic raft cluster: N {@link RaftDriver}s on one {@link VirtualClock} and one
 * {@link InMemoryNetwork}, everything derived from one seed. {@link RaftSimulation.run} plays the
 * full scenario: a safety phase under client load and faults drawn from the seed (partitions,
 * lossy links, crashes and restarts, membership changes, leadership transfers), then a liveness
 * phase that heals everything and demands a new commit within a bound. An
 * {@link InvariantChecker} watches every event; a violation throws an
 * {@link InvariantViolationError} that prints `SEED=<seed>` and the last events.
 *
 * The lower-level methods (`start`, `runFor`, `runUntil`, `crash`, ...) build other scenarios
 * (see {@link measureFailover}).
 *
 * @example
 * ```ts
 * const result = await new RaftSimulation({ seed: 42 }).run();
 * result.digest; // the same for every run of seed 42
 * ```
 * @public
 */
export class RaftSimulation implements FaultTarget {
  readonly settings: ResolvedSimulationOptions;
  readonly clock = new VirtualClock();
  readonly network: InMemoryNetwork<RaftMessage>;
  readonly checker: InvariantChecker;
  readonly trace: EventTrace;
  private readonly root: Random;
  private readonly host: MemberHost;
  private readonly all = new Map<string, SimulatedMember>();
  private readonly messages: NetworkEvent<RaftMessage>[] = [];
  private readonly addressCodes = new Map<string, number>();
  private readonly appliedListeners: ((member: SimulatedMember, index: number, value: string) => void)[] = [];
  private nextMember = 1;
  private nextLogScan = LOG_SCAN_EVERY_MS;
  private stopWhen: (() => boolean) | undefined;
  private noted = new Set<number>();
  private stopped = false;

  constructor(options: RaftSimulationOptions) {
    this.settings = resolveSimulationOptions(options);
    this.root = Random.fromSeed(options.seed);
    this.trace = new EventTrace(this.settings.traceSize);
    this.checker = new InvariantChecker(this.settings.seed, () => this.recent(), () => this.clock.now());
    this.network = new InMemoryNetwork<RaftMessage>({ clock: this.clock, random: this.root.fork('net'), cloneMessages: this.settings.cloneMessages });
    this.network.onTrace((ev) => this.onNetwork(ev));
    this.host = {
      clock: this.clock,
      network: this.network,
      random: this.root.fork('members'),
      checker: this.checker,
      driverSettings: this.settings.driver,
      storageKind: this.settings.storage,
      note: (text) => this.note(text),
      confChanged: (member, change, config, index) => this.onConfChange(member, change, config, index),
      valueApplied: (member, index, value) => {
        for (const l of this.appliedListeners) l(member, index, value);
      },
    };
  }

  /** Every member ever created, in creation order. */
  members(): SimulatedMember[] {
    return [...this.all.values()];
  }

  /** The member with id `id`. */
  member(id: string): SimulatedMember | undefined {
    return this.all.get(id);
  }

  /** Members that are up and believe they lead (more than one while a deposed leader has not noticed). */
  leaders(): SimulatedMember[] {
    return this.members().filter((m) => m.isLeader);
  }

  /** Records a simulation event in the trace. */
  note(text: string): void {
    this.trace.record(this.clock.now(), text);
  }

  /** Calls `listener` whenever a member applies a client value. */
  onApplied(listener: (member: SimulatedMember, index: number, value: string) => void): void {
    this.appliedListeners.push(listener);
  }

  /**
   * Starts a client that proposes a unique value (`<prefix><n>`) to a leader every `intervalMs`
   * and reports outcomes to the checker; stop it with the returned function.
   */
  startClient(prefix: string, intervalMs: number): { stop(): void; stats(): ClientStats } {
    const client = new LoadClient(this.clock, this.root.fork(`client/${prefix}`), this.checker, () => this.leaders(), prefix, intervalMs);
    client.start();
    return { stop: () => client.stop(), stats: () => client.stats };
  }

  /**
   * Creates the founding voters `m1..mN` and starts each at a random point of the first tick
   * interval, as real processes never start in the same instant (with aligned ticks, two
   * followers whose election timeouts draw the same tick count split the vote every time).
   */
  async start(): Promise<void> {
    const ids = Array.from({ length: this.settings.members }, () => `m${this.nextMember++}`);
    const jitter = this.root.fork('start');
    const founders = ids.map((id) => new SimulatedMember(this.host, id, ids));
    for (const m of founders) {
      this.all.set(m.id, m);
      this.clock.setTimeout(() => void m.start(), jitter.int(Math.max(1, Math.floor(this.settings.driver.tickInterval))));
    }
    await this.runUntil(() => founders.every((m) => m.isUp), this.settings.driver.tickInterval + 1);
  }

  /** Creates and starts a member with a fresh id and empty storage, waiting to be added. */
  spawnMember(): SimulatedMember {
    const m = new SimulatedMember(this.host, `m${this.nextMember++}`, undefined);
    this.all.set(m.id, m);
    void m.start();
    return m;
  }

  /** Runs the simulation for `ms` of simulated time, checking after every event. */
  async runFor(ms: number): Promise<void> {
    await this.runUntil(() => false, ms);
  }

  /**
   * Runs until `predicate` holds (checked after every event) or `ms` of simulated time pass;
   * returns whether it holds.
   */
  async runUntil(predicate: () => boolean, ms: number): Promise<boolean> {
    const deadline = this.clock.now() + ms;
    this.stopWhen = predicate;
    try {
      if (predicate()) return true;
      while (this.clock.now() < deadline) {
        const span = Math.min(CHUNK_MS, deadline - this.clock.now());
        const step = (): boolean => {
          const v = this.checker.violation;
          if (v !== undefined) throw v;
          return predicate();
        };
        let done: boolean;
        try {
          done = this.settings.storage === 'memory' ? this.clock.advanceUntil(step, { timeout: span }) : await this.clock.advanceUntilAsync(step, { timeout: span });
          await flushMicrotasks();
        } catch (err) {
          if (err instanceof InvariantViolationError) throw err;
          this.checker.fail('exception', `raft code threw: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, err);
        }
        const v = this.checker.violation;
        if (v !== undefined) throw v;
        if (this.clock.now() >= this.nextLogScan) {
          this.nextLogScan = this.clock.now() + LOG_SCAN_EVERY_MS;
          this.checkLogs();
        }
        if (done || predicate()) return true;
      }
      return predicate();
    } finally {
      this.stopWhen = undefined;
    }
  }

  /** Compares the persisted logs of every running member (log matching). */
  checkLogs(): void {
    const logs = this.members().flatMap((m) => (m.isUp && m.persisted !== undefined ? [{ id: m.id, storage: m.persisted }] : []));
    this.checker.checkLogsMatch(logs);
  }

  /**
   * Plays the whole scenario: start, safety phase (client load and drawn faults), liveness phase
   * (heal, restart, demand a leader and a new commit within the bound, then convergence), final
   * checks. Rejects with {@link InvariantViolationError} on any violation.
   */
  async run(): Promise<SimulationResult> {
    const s = this.settings;
    try {
      this.note(`seed ${s.seed}: ${s.members} members, ${s.storage} storage, safety ${s.safetyPhase}ms, faults every ~${s.meanFaultInterval}ms, client every ${s.clientInterval}ms, snapshot every ${s.driver.snapshotInterval}`);
      await this.start();
      const plan = s.faults ? drawFaultPlan(this.root.fork('plan'), s.safetyPhase, s.meanFaultInterval, s.faultWeights) : [];
      const injector = new FaultInjector(this, this.root.fork('targets'));
      const timers = plan.map((f) => this.clock.setTimeout(() => injector.apply(f.kind), f.at));
      const client = new LoadClient(this.clock, this.root.fork('client'), this.checker, () => this.leaders(), 'v', s.clientInterval);
      client.start();
      await this.runFor(s.safetyPhase);

      // Liveness: no more faults; heal everything, restart whoever is down.
      for (const t of timers) this.clock.clearTimeout(t);
      injector.cancelRestarts();
      client.stop();
      this.network.heal();
      injector.calm();
      this.note('liveness phase: network healed, crashed members restarting');
      for (const m of this.members()) if (m.state === 'down') void m.start();
      const healedAt = this.clock.now();
      const deadline = healedAt + s.livenessBound;
      let final: { index: number; member: SimulatedMember; at: number } | undefined;
      this.onApplied((member, index, value) => {
        if (final === undefined && value.startsWith('final')) final = { index, member, at: this.clock.now() };
      });
      const finalClient = new LoadClient(this.clock, this.root.fork('final'), this.checker, () => this.leaders(), 'final', 200);
      finalClient.proposeOnce();
      finalClient.start();
      if (!(await this.runUntil(() => final !== undefined, s.livenessBound))) {
        this.checker.fail('liveness', `no new write committed within ${s.livenessBound}ms of healing (${this.describeMembers()})`);
      }
      finalClient.stop();
      const committed = final as NonNullable<typeof final>;
      this.note(`final write committed at ${committed.index}`);
      const finalConfig = (this.leaders()[0] ?? committed.member).driver?.status().config ?? { voters: [], learners: [] };
      const required = [...finalConfig.voters, ...finalConfig.learners].map((id) => this.all.get(id)).filter((m) => m !== undefined);
      // Writes proposed before the final one may still commit after it: wait for everything applied anywhere.
      const target = (): number => Math.max(committed.index, this.checker.highestApplied);
      const caughtUp = (): boolean => required.every((m) => m.isUp && (m.machine?.lastIndex ?? 0) >= target());
      if (!(await this.runUntil(caughtUp, Math.max(0, deadline - this.clock.now())))) {
        this.checker.fail('liveness', `members did not catch up with index ${target()} within ${s.livenessBound}ms of healing (${this.describeMembers()})`);
      }
      this.checkLogs();
      this.checker.checkConverged(required.map((m) => ({ id: m.id, lastIndex: m.machine?.lastIndex ?? 0, hash: m.machine?.hash ?? 0 })));
      this.trace.mix(this.checker.committed, this.checker.acknowledged, this.checker.terms, this.clock.now());
      return {
        seed: s.seed,
        digest: this.trace.digest(),
        events: this.trace.events,
        simulatedMs: this.clock.now(),
        faults: plan.length,
        terms: this.checker.terms,
        committed: this.checker.committed,
        client: client.stats,
        livenessMs: committed.at - healedAt,
        finalConfig,
        network: this.network.stats(),
        settings: s,
      };
    } finally {
      this.stop();
    }
  }

  /** Stops every member and closes the network. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const m of this.members()) m.remove();
    this.network.close();
  }

  /** One line per member: state, role, term, commit, applied. */
  describeMembers(): string {
    return this.members()
      .map((m) => {
        if (!m.isUp) return `${m.id}:${m.state}`;
        const st = m.driver?.status();
        return `${m.id}:${st?.role} t${st?.term} c${st?.commit} a${m.machine?.lastIndex ?? 0}`;
      })
      .join(' ');
  }

  private onConfChange(member: SimulatedMember, change: ConfChange, config: ConfState, index: number): void {
    if (!this.noted.has(index)) {
      this.noted.add(index);
      this.note(`${member.id} applied ${change.type} ${change.nodeId} at ${index}: voters [${config.voters.join(',')}] learners [${config.learners.join(',')}]`);
    }
    if ((change.type === 'addVoter' || change.type === 'addLearner') && this.settings.workarounds.snapshotOnMemberAdd === true) {
      // Right after this event the driver has just run its own snapshot check, so a snapshot now
      // never collides with one it takes.
      this.clock.setTimeout(() => this.snapshotNow(member), 0);
    }
    if (change.type !== 'remove') return;
    const target = this.all.get(change.nodeId);
    if (target === undefined || target.state === 'removed') return;
    // Committed: the removed member shuts down for good (as a swarm manager does), after this event.
    this.clock.setTimeout(() => {
      if (target.state === 'removed') return;
      target.remove();
      this.note(`${target.id} shut down: removed from the cluster`);
    }, 0);
  }

  private snapshotNow(member: SimulatedMember): void {
    const { driver, machine, storage } = member;
    if (!member.isUp || driver === undefined || machine === undefined || storage === undefined) return;
    const applied = driver.appliedIndex;
    if (storage.firstIndex() <= 1 || applied <= storage.snapshot().metadata.index) return;
    storage.createSnapshot(applied, driver.status().config, machine.snapshot());
    this.note(`${member.id} snapshot at ${applied} (workaround snapshotOnMemberAdd)`);
  }

  private onNetwork(ev: NetworkEvent<RaftMessage>): void {
    if (ev.kind !== 'deliver' && ev.kind !== 'drop') return;
    const m = ev.message;
    this.trace.mix(ev.at, ev.id, this.code(ev.from) * 64 + this.code(ev.to), (m.term ?? 0) * 4096 + (m.index ?? 0) + (ev.kind === 'drop' ? 0.5 : 0));
    if (this.messages.length >= MESSAGE_RING) this.messages.shift();
    this.messages.push(ev);
  }

  private code(address: string): number {
    let c = this.addressCodes.get(address);
    if (c === undefined) {
      c = this.addressCodes.size + 1;
      this.addressCodes.set(address, c);
    }
    return c;
  }

  private recent(): string[] {
    const msgs = this.messages.map((ev) => {
      const m = ev.message;
      const what = `${m.type} t${m.term}${m.index === undefined ? '' : ` i${m.index}`}${m.logTerm === undefined ? '' : ` lt${m.logTerm}`}${m.commit === undefined ? '' : ` c${m.commit}`}${m.entries === undefined || m.entries.length === 0 ? '' : ` +${m.entries.length}`}${m.reject === true ? ' reject' : ''}`;
      return `${formatTime(ev.at)} ${ev.from}->${ev.to} ${what}${ev.kind === 'drop' ? ` DROPPED (${ev.reason})` : ''}`;
    });
    return [...this.trace.recent(), '-- last messages --', ...msgs, `-- members: ${this.describeMembers()}`];
  }
}
