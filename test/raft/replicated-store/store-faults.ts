/**
 * Faults for a {@link StoreCluster}: a schedule drawn from the seed, and an injector that picks
 * targets (which manager, which link) when each fault fires, from the cluster's state then.
 */
import type { Random, TimerHandle } from '../../../src/runtime/index.js';
import { NetworkFaults } from '../../../src/testing/raft-simulator/network-faults.js';
import type { Manager, StoreCluster } from './store-cluster.js';
import { describeError } from './store-cluster.js';

/** Relative weights of the faults (0 turns one off). */
export interface StoreFaultWeights {
  /** Split the managers in two, both ways. */
  readonly partition: number;
  /** Cut every link from one group to another, one way only. */
  readonly partitionOneWay: number;
  /** Cut the leader off from everyone. */
  readonly isolateLeader: number;
  /** Remove every partition. */
  readonly heal: number;
  /** Network-wide drop, duplicate and reorder rates and latency. */
  readonly messageFaults: number;
  /** One link (both ways) very lossy or slow. */
  readonly linkFaults: number;
  /** Back to a clean network. */
  readonly calm: number;
  /** Crash a random manager; it restarts after a random downtime. */
  readonly crash: number;
  /** Crash the leader; it restarts after a random downtime. */
  readonly crashLeader: number;
  /** Ask the leader to hand over to another manager. */
  readonly transferLeadership: number;
}

/** The default mix. */
export const STORE_FAULT_WEIGHTS: StoreFaultWeights = Object.freeze({
  partition: 6,
  partitionOneWay: 3,
  isolateLeader: 6,
  heal: 8,
  messageFaults: 6,
  linkFaults: 3,
  calm: 3,
  crash: 4,
  crashLeader: 4,
  transferLeadership: 3,
});

/**
 * Fault profiles a seed draws from, so runs differ in character, not only in detail: a mix of
 * everything, leaders cut off (deposed leaders that have not noticed yet), crashes and restarts,
 * or a lossy, reordering network.
 */
export const STORE_FAULT_PROFILES = Object.freeze({
  mixed: STORE_FAULT_WEIGHTS,
  leaderIsolation: Object.freeze({ ...zero(), isolateLeader: 10, heal: 8, partition: 4, partitionOneWay: 3, transferLeadership: 4, messageFaults: 2 }),
  crashes: Object.freeze({ ...zero(), crash: 6, crashLeader: 6, heal: 3, partition: 2, messageFaults: 2, calm: 1 }),
  lossyNetwork: Object.freeze({ ...zero(), messageFaults: 8, linkFaults: 6, calm: 2, heal: 3, partitionOneWay: 3, isolateLeader: 2 }),
}) satisfies Record<string, StoreFaultWeights>;

/** The name of a profile in {@link STORE_FAULT_PROFILES}. */
export type StoreFaultProfile = keyof typeof STORE_FAULT_PROFILES;

export type StoreFaultKind = keyof StoreFaultWeights;

function zero(): StoreFaultWeights {
  return { partition: 0, partitionOneWay: 0, isolateLeader: 0, heal: 0, messageFaults: 0, linkFaults: 0, calm: 0, crash: 0, crashLeader: 0, transferLeadership: 0 };
}

/** One planned fault: what and when (simulated milliseconds from the start of the safety phase). */
export interface PlannedStoreFault {
  readonly at: number;
  readonly kind: StoreFaultKind;
}

/** Faults at exponentially distributed intervals of mean `meanInterval` over `[firstAt, duration)`. */
export function drawStoreFaults(random: Random, duration: number, meanInterval: number, weights: StoreFaultWeights, firstAt = 500): PlannedStoreFault[] {
  const kinds = (Object.keys(weights) as StoreFaultKind[]).filter((k) => weights[k] > 0);
  const total = kinds.reduce((sum, k) => sum + weights[k], 0);
  const plan: PlannedStoreFault[] = [];
  if (total <= 0) return plan;
  for (let at = firstAt + random.exponential(meanInterval); at < duration && plan.length < duration / 10; at += Math.max(10, random.exponential(meanInterval))) {
    let roll = random.next() * total;
    let kind = kinds[kinds.length - 1] as StoreFaultKind;
    for (const k of kinds) {
      if ((roll -= weights[k]) < 0) {
        kind = k;
        break;
      }
    }
    plan.push({ at: Math.round(at), kind });
  }
  return plan;
}

/** Carries out faults on a cluster and remembers what to undo when the run heals. */
export class StoreFaultInjector {
  private readonly restarts = new Set<TimerHandle>();
  private readonly networkFaults: NetworkFaults;

  constructor(
    private readonly cluster: StoreCluster,
    private readonly random: Random,
    /** Downtime of a crashed manager: uniform in [min, max] milliseconds. */
    private readonly downtime: { readonly min: number; readonly max: number },
  ) {
    this.networkFaults = new NetworkFaults(cluster.network, random, (line) => cluster.note(line));
  }

  /** Schedules every fault of `plan`, counting from now. */
  schedule(plan: readonly PlannedStoreFault[]): TimerHandle[] {
    const clock = this.cluster.clock;
    return plan.map((f) => clock.setTimeout(() => this.apply(f.kind), f.at));
  }

  /** Applies one fault now. */
  apply(kind: StoreFaultKind): void {
    const c = this.cluster;
    const net = c.network;
    const r = this.random;
    const ids = c.managers.map((m) => m.id);
    switch (kind) {
      case 'partition':
      case 'partitionOneWay': {
        const shuffled = r.shuffle(ids.slice());
        const cut = 1 + r.int(shuffled.length - 1);
        const a = shuffled.slice(0, cut).sort();
        const b = shuffled.slice(cut).sort();
        if (kind === 'partition') net.partition(a, b);
        else net.partitionOneWay(a, b);
        c.note(`${kind === 'partition' ? 'partition' : 'one-way partition'} [${a.join(',')}] ${kind === 'partition' ? '|' : '->X'} [${b.join(',')}]`);
        return;
      }
      case 'isolateLeader': {
        const leader = this.pickLeader();
        if (leader === undefined) return;
        net.isolate(leader.id);
        c.note(`isolate leader ${leader.id}`);
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
        c.note('network calm');
        return;
      case 'crash':
      case 'crashLeader': {
        const up = c.managers.filter((m) => m.isUp);
        const victim = kind === 'crashLeader' ? this.pickLeader() : up.length > 0 ? r.pick(up) : undefined;
        if (victim === undefined) return;
        victim.crash();
        const handle = c.clock.setTimeout(() => {
          this.restarts.delete(handle);
          victim.start();
        }, r.intBetween(this.downtime.min, this.downtime.max));
        this.restarts.add(handle);
        return;
      }
      case 'transferLeadership': {
        const leader = this.pickLeader();
        if (leader === undefined || leader.driver === undefined) return;
        const to = r.pick(ids.filter((x) => x !== leader.id));
        c.note(`transfer leadership ${leader.id} -> ${to}`);
        try {
          leader.driver.transferLeadership(to);
        } catch (err) {
          c.note(`transfer refused: ${describeError(err)}`);
        }
        return;
      }
    }
  }

  /** Ends every fault: heals partitions, calms the network, restarts every manager that is down now. */
  healAll(): void {
    const c = this.cluster;
    for (const h of this.restarts) c.clock.clearTimeout(h);
    this.restarts.clear();
    c.network.heal();
    this.calm();
    for (const m of c.managers) if (m.state === 'down') m.start();
    c.note('healed: network calm, every manager restarted');
  }

  /** Clean network: no rates, default latency, no link faults. */
  calm(): void {
    this.networkFaults.calm();
  }

  private pickLeader(): Manager | undefined {
    const leaders = this.cluster.leaders();
    return leaders.length === 0 ? undefined : this.random.pick(leaders);
  }
}
