/**
 * A small RaftDriver cluster on a VirtualClock and the in-memory network, for driver tests.
 */
import { expect } from 'vitest';
import { InMemoryNetwork, type TransportEndpoint } from '../../../src/transport/index.js';
import { Random, VirtualClock } from '../../../src/runtime/index.js';
import { MemoryRaftStorage, RaftDriver, type DriverStorage, type RaftDriverEvents, type RaftDriverOptions, type RaftMessage, type RaftStateMachine } from '../../../src/raft/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);

/** A replicated list of strings. */
export class ListMachine implements RaftStateMachine {
  items: string[] = [];
  apply(data: Uint8Array): number {
    this.items.push(dec.decode(data));
    return this.items.length;
  }
  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify(this.items));
  }
  restore(data: Uint8Array): void {
    this.items = JSON.parse(dec.decode(data)) as string[];
  }
}

export interface Member {
  readonly id: string;
  storage: DriverStorage;
  machine: ListMachine;
  driver: RaftDriver;
  endpoint: TransportEndpoint<RaftMessage>;
}

export type ClusterOptions = Partial<Omit<RaftDriverOptions, 'id' | 'peers' | 'storage' | 'endpoint' | 'clock' | 'random' | 'stateMachine'>> & {
  /** Builds each member's storage (default: a MemoryRaftStorage). */
  readonly storage?: (id: string, clock: VirtualClock) => DriverStorage;
  /** What each member reports. */
  readonly events?: (id: string) => RaftDriverEvents;
};

export function driverCluster(seed: number, n = 3, options: ClusterOptions = {}) {
  const { storage: makeStorage = () => new MemoryRaftStorage(), events, ...driverOptions } = options;
  const clock = new VirtualClock();
  const random = Random.fromSeed(seed);
  const net = new InMemoryNetwork<RaftMessage>({ clock, random: random.fork('net') });
  const ids = Array.from({ length: n }, (_, i) => `m${i + 1}`);
  const build = (id: string, storage: DriverStorage, incarnation: number): Member => {
    const machine = new ListMachine();
    const endpoint = net.endpoint(id);
    const driver = new RaftDriver({ ...driverOptions, id, peers: ids, storage, endpoint, clock, random: random.fork(`${id}#${incarnation}`), stateMachine: machine }, events?.(id));
    driver.start();
    return { id, storage, machine, driver, endpoint };
  };
  const members = ids.map((id) => build(id, makeStorage(id, clock), 1));
  const leader = (): Member | undefined => members.find((m) => m.driver.isLeader);
  const waitLeader = async (): Promise<Member> => {
    expect(await clock.advanceUntilAsync(() => leader() !== undefined, { timeout: '10s' })).toBe(true);
    return leader() as Member;
  };
  const run = <T>(p: Promise<T>): Promise<T> => clock.settle(p, { timeout: '30s' });
  /** Stops a member's driver and starts a new one over the same storage and address. */
  const restart = (m: Member, incarnation = 2): Member => {
    m.driver.stop();
    m.endpoint.close();
    const fresh = build(m.id, m.storage, incarnation);
    members[members.indexOf(m)] = fresh;
    return fresh;
  };
  const close = (): void => {
    for (const m of members) m.driver.stop();
    net.close();
  };
  return { clock, net, members, leader, waitLeader, run, restart, close };
}

/** Settles `p` into its value or its error, for assertions on either. */
export function outcome<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}
