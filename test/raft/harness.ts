/**
 * A tiny in-test network for raft nodes, etcd style: messages are queued and delivered by hand,
 * links can be cut, every Ready is persisted into a MemoryRaftStorage and advanced. It also
 * checks, on every apply, that no two nodes ever apply different entries at the same index.
 */
import { Random } from '../../src/runtime/index.js';
import {
  MemoryRaftStorage,
  RaftNode,
  decodeConfChange,
  type ConfState,
  type Entry,
  type Message,
  type RaftNodeOptions,
  type ReadState,
} from '../../src/raft/index.js';

export interface SimNode {
  readonly id: string;
  node: RaftNode;
  storage: MemoryRaftStorage;
  /** The application state: the data of every applied non-empty normal entry, in order. */
  state: string[];
  appliedIndex: number;
  confState: ConfState;
  readStates: ReadState[];
  /** Contexts of reads reported dropped (Ready.droppedReads). */
  droppedReads: Uint8Array[];
  /** Every Ready message ever sent by this node (for assertions). */
  sent: Message[];
}

export type NodeOptions = Partial<Omit<RaftNodeOptions, 'id' | 'storage' | 'random'>>;

const enc = new TextEncoder();
const dec = new TextDecoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);

export class Network {
  readonly nodes = new Map<string, SimNode>();
  queue: Message[] = [];
  private readonly cut = new Set<string>();
  /** Extra filter: return false to drop a message. */
  filter: ((m: Message) => boolean) | undefined = undefined;
  /** index -> term:data of the first entry applied there by any node. */
  private readonly appliedLog = new Map<number, string>();
  private readonly seed: string;
  private readonly defaults: NodeOptions;

  constructor(ids: readonly string[], options: NodeOptions & { seed?: string | number } = {}) {
    const { seed = 1, ...defaults } = options;
    this.seed = String(seed);
    this.defaults = defaults;
    for (const id of ids) this.add(id, { peers: ids, ...defaults });
    this.flushReady();
  }

  /** Adds a node (a new, empty one unless `storage` is given). */
  add(id: string, options: NodeOptions = this.defaults, storage = new MemoryRaftStorage()): SimNode {
    const node = new RaftNode({ id, storage, random: Random.fromSeed(`${this.seed}/${id}`), ...options });
    const conf = storage.initialState().confState;
    const sim: SimNode = { id, node, storage, state: [], appliedIndex: storage.snapshot().metadata.index, confState: conf, readStates: [], droppedReads: [], sent: [] };
    const snap = storage.snapshot();
    if (snap.metadata.index > 0) sim.state = JSON.parse(text(snap.data)) as string[];
    this.nodes.set(id, sim);
    return sim;
  }

  /** Restarts a node from its storage (after an optional crash that drops unsynced writes). */
  restart(id: string, options: NodeOptions = this.defaults, crash = false): SimNode {
    const old = this.get(id);
    if (crash) old.storage.crash();
    this.queue = this.queue.filter((m) => m.to !== id);
    return this.add(id, options, old.storage);
  }

  get(id: string): SimNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  node(id: string): RaftNode {
    return this.get(id).node;
  }

  /** Cuts both directions between `a` and `b`. */
  cutLink(a: string, b: string): void {
    this.cut.add(`${a}->${b}`).add(`${b}->${a}`);
  }

  /** Cuts `id` off from every other node. */
  isolate(id: string): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
  }

  /** Restores every link. */
  heal(): void {
    this.cut.clear();
  }

  private linkUp(m: Message): boolean {
    return !this.cut.has(`${m.from}->${m.to}`) && this.nodes.has(m.to) && (this.filter === undefined || this.filter(m));
  }

  /** Processes every pending Ready of every node. */
  flushReady(): void {
    for (const sim of this.nodes.values()) this.processReady(sim);
  }

  private processReady(sim: SimNode): void {
    while (sim.node.hasReady()) {
      const rd = sim.node.ready();
      if (rd.snapshot !== undefined) {
        sim.storage.applySnapshot(rd.snapshot);
        sim.state = JSON.parse(text(rd.snapshot.data)) as string[];
        sim.appliedIndex = rd.snapshot.metadata.index;
        sim.confState = rd.snapshot.metadata.confState;
      }
      sim.storage.append(rd.entries);
      if (rd.hardState !== undefined) sim.storage.setHardState(rd.hardState);
      if (rd.mustSync || rd.snapshot !== undefined) sim.storage.sync();
      for (const m of rd.messages) {
        sim.sent.push(m);
        this.queue.push(m);
      }
      for (const e of rd.committedEntries) this.apply(sim, e);
      sim.readStates.push(...rd.readStates);
      sim.droppedReads.push(...rd.droppedReads);
      sim.node.advance(rd);
    }
  }

  private apply(sim: SimNode, e: Entry): void {
    if (e.index !== sim.appliedIndex + 1) throw new Error(`${sim.id} applied ${e.index} after ${sim.appliedIndex}`);
    const key = `${e.term}:${e.type}:${text(e.data)}`;
    const seen = this.appliedLog.get(e.index);
    if (seen === undefined) this.appliedLog.set(e.index, key);
    else if (seen !== key) throw new Error(`safety violation: ${sim.id} applied ${key} at ${e.index}, another node applied ${seen}`);
    sim.appliedIndex = e.index;
    if (e.type === 'confChange') sim.confState = sim.node.applyConfChange(decodeConfChange(e.data));
    else if (e.data.byteLength > 0) sim.state.push(text(e.data));
  }

  /** Delivers queued messages (and the ones they cause) until none are left. */
  deliverAll(limit = 100_000): void {
    this.flushReady();
    let n = 0;
    while (this.queue.length > 0) {
      if (++n > limit) throw new Error('deliverAll: message storm');
      this.deliverOne();
    }
  }

  /** Delivers (or drops) the oldest queued message. */
  deliverOne(): void {
    const m = this.queue.shift();
    if (m === undefined) return;
    this.deliver(m);
  }

  /** Delivers `m` now, subject to links. */
  deliver(m: Message): void {
    const from = this.nodes.get(m.from);
    if (!this.linkUp(m)) {
      if (m.type === 'snap' && from !== undefined) {
        from.node.reportSnapshot(m.to, false);
        this.processReady(from);
      }
      return;
    }
    const to = this.get(m.to);
    to.node.step(m);
    this.processReady(to);
    if (m.type === 'snap' && from !== undefined) {
      from.node.reportSnapshot(m.to, true);
      this.processReady(from);
    }
  }

  /** Drops every queued message. */
  dropQueued(): void {
    this.queue = [];
  }

  /** Ticks every node (or the given ones) `n` times, delivering messages after each round. */
  tick(n = 1, ids: readonly string[] = [...this.nodes.keys()]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.node(id).tick();
      this.deliverAll();
    }
  }

  /** Makes `id` campaign and delivers everything. */
  elect(id: string): void {
    this.node(id).campaign();
    this.deliverAll();
  }

  /** Proposes on `id` and delivers everything. */
  propose(id: string, data: string): void {
    this.node(id).propose(bytes(data));
    this.deliverAll();
  }

  leaders(): string[] {
    return [...this.nodes.values()].filter((s) => s.node.status().role === 'leader').map((s) => s.id);
  }

  /** Ticks until exactly one leader exists among `ids` (bounded). */
  tickUntilLeader(ids: readonly string[] = [...this.nodes.keys()], max = 200): string {
    for (let i = 0; i < max; i++) {
      const leaders = this.leaders().filter((l) => ids.includes(l));
      if (leaders.length === 1) return leaders[0] as string;
      this.tick(1, ids);
    }
    throw new Error('no leader elected');
  }
}
