import type { ConfChange, RaftMessage } from '../../raft/index.js';
import type { Random, TimerHandle, VirtualClock } from '../../runtime/index.js';
import type { InMemoryNetwork } from '../../transport/index.js';
import type { FaultKind } from './fault-plan.js';
import type { SimulatedMember } from './member.js';
import { NetworkFaults } from './network-faults.js';

/**
 * What the fault injector acts on (the {@link RaftSimulation} provides it).
 *
 * @public
 */
export interface FaultTarget {
  readonly clock: VirtualClock;
  readonly network: InMemoryNetwork<RaftMessage>;
  /** Every member ever created, in creation order. */
  members(): SimulatedMember[];
  /** Members that are up and believe they lead. */
  leaders(): SimulatedMember[];
  /** Creates and starts a brand-new member (no peers: it waits to be added). */
  spawnMember(): SimulatedMember;
  note(text: string): void;
}

/** Largest cluster the injector grows to (voters plus learners). */
const MAX_MEMBERS = 7;

/**
 * Carries out planned faults on a running simulation, drawing their targets from its own random
 * stream. Remembers what it changed (links, pending restarts) so the liveness phase can undo it.
 *
 * @internal
 */
export class FaultInjector {
  private readonly restarts = new Set<TimerHandle>();
  private readonly networkFaults: NetworkFaults;

  constructor(
    private readonly sim: FaultTarget,
    private readonly random: Random,
  ) {
    this.networkFaults = new NetworkFaults(sim.network, random, (line) => sim.note(line));
  }

  /** Applies one fault now. */
  apply(kind: FaultKind): void {
    const { network: net } = this.sim;
    const r = this.random;
    const live = this.sim.members().filter((m) => m.state === 'up' || m.state === 'down' || m.state === 'starting');
    const ids = live.map((m) => m.id);
    switch (kind) {
      case 'partition': {
        const [a, b] = this.split(ids);
        if (a.length === 0 || b.length === 0) return;
        net.partition(a, b);
        this.sim.note(`partition [${a.join(',')}] | [${b.join(',')}]`);
        return;
      }
      case 'partitionOneWay': {
        const [a, b] = this.split(ids);
        if (a.length === 0 || b.length === 0) return;
        net.partitionOneWay(a, b);
        this.sim.note(`one-way partition [${a.join(',')}] -> [${b.join(',')}] cut`);
        return;
      }
      case 'isolateLeader': {
        const leader = this.pickLeader();
        if (leader === undefined) return;
        net.isolate(leader.id);
        this.sim.note(`isolate leader ${leader.id}`);
        return;
      }
      case 'heal':
        this.networkFaults.heal();
        return;
      case 'messageFaults':
        this.networkFaults.messageFaults();
        return;
      case 'linkFaults':
        this.networkFaults.linkFaults(ids);
        return;
      case 'calm':
        this.calm();
        this.sim.note('network calm');
        return;
      case 'crash':
      case 'crashLeader': {
        const up = live.filter((m) => m.state === 'up');
        const victim = kind === 'crashLeader' ? this.pickLeader() : up.length > 0 ? r.pick(up) : undefined;
        if (victim === undefined) return;
        victim.crash();
        const downtime = r.intBetween(200, 6_000);
        const handle = this.sim.clock.setTimeout(() => {
          this.restarts.delete(handle);
          void victim.start();
        }, downtime);
        this.restarts.add(handle);
        return;
      }
      case 'restart': {
        const down = live.filter((m) => m.state === 'down');
        if (down.length > 0) void r.pick(down).start();
        return;
      }
      case 'transferLeadership': {
        const leader = this.pickLeader();
        const voters = leader?.driver?.status().config.voters.filter((v) => v !== leader.id) ?? [];
        if (leader === undefined || voters.length === 0) return;
        const to = r.pick(voters);
        this.sim.note(`transfer leadership ${leader.id} -> ${to}`);
        try {
          leader.driver?.transferLeadership(to);
        } catch (err) {
          this.sim.note(`transfer refused: ${describe(err)}`);
        }
        return;
      }
      case 'removeMember': {
        const leader = this.pickLeader();
        const config = leader?.driver?.status().config;
        if (leader === undefined || config === undefined) return;
        const candidates = [...config.learners, ...(config.voters.length > 3 ? config.voters : [])];
        if (candidates.length === 0) return;
        this.change(leader, { type: 'remove', nodeId: r.pick(candidates) });
        return;
      }
      case 'addMember':
      case 'addLearner': {
        const leader = this.pickLeader();
        const config = leader?.driver?.status().config;
        if (leader === undefined || config === undefined || config.voters.length + config.learners.length >= MAX_MEMBERS) return;
        const fresh = this.sim.spawnMember();
        this.change(leader, { type: kind === 'addMember' ? 'addVoter' : 'addLearner', nodeId: fresh.id });
        return;
      }
      case 'demoteVoter': {
        const leader = this.pickLeader();
        const voters = leader?.driver?.status().config.voters ?? [];
        if (leader === undefined || voters.length <= 3) return;
        this.change(leader, { type: 'addLearner', nodeId: r.pick(voters) });
        return;
      }
      case 'promoteLearner': {
        const leader = this.pickLeader();
        const learners = leader?.driver?.status().config.learners ?? [];
        if (leader === undefined || learners.length === 0) return;
        this.change(leader, { type: 'promoteLearner', nodeId: r.pick(learners) });
        return;
      }
    }
  }

  /** Clean network: no rates, default latency, no link faults, no partitions. */
  calm(): void {
    this.networkFaults.calm();
  }

  /** Cancels restarts still pending (the liveness phase restarts everyone itself). */
  cancelRestarts(): void {
    for (const h of this.restarts) this.sim.clock.clearTimeout(h);
    this.restarts.clear();
  }

  private change(leader: SimulatedMember, change: ConfChange): void {
    const label = `${change.type} ${change.nodeId}`;
    try {
      const pending = leader.driver?.proposeConfChange(change);
      this.sim.note(`${leader.id} proposes ${label}`);
      pending?.then(
        (c) => this.sim.note(`${label} committed at ${c.index}`),
        (err: unknown) => this.sim.note(`${label} failed: ${describe(err)}`),
      );
    } catch (err) {
      this.sim.note(`${leader.id} refused ${label}: ${describe(err)}`);
    }
  }

  private pickLeader(): SimulatedMember | undefined {
    const leaders = this.sim.leaders();
    return leaders.length === 0 ? undefined : this.random.pick(leaders);
  }

  private split(ids: readonly string[]): [string[], string[]] {
    const shuffled = this.random.shuffle(ids.slice());
    const cut = 1 + this.random.int(Math.max(1, shuffled.length - 1));
    return [shuffled.slice(0, cut).sort(), shuffled.slice(cut).sort()];
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
