/**
 * Clients of the replicated KV workload. Each is a sequential process: it sends one operation at a
 * time to the manager it believes leads (over a small simulated client-to-manager latency),
 * follows `NotLeaderError` hints, and records what it learnt in a HistoryRecorder: `ok` with the
 * output, `fail` when the operation certainly had no effect, `info` when it may have.
 */
import { NotLeaderError } from '../../../src/raft/index.js';
import type { Random } from '../../../src/runtime/index.js';
import type { HistoryRecorder, OpKind } from '../../support/linearizability/index.js';
import { kvCas, kvDelete, kvRead, kvWrite, type CasMode, type KvTarget, type KvValue, type ReadMode } from './kv-operations.js';
import { classify, type Outcome } from './outcomes.js';
import type { StoreCluster } from './store-cluster.js';
import { describeError } from './store-cluster.js';

/** Relative weights of the operations a client issues. */
export interface OperationMix {
  readonly read: number;
  readonly write: number;
  readonly cas: number;
  readonly delete: number;
}

/** How the clients behave. */
export interface ClientSettings {
  readonly keys: readonly string[];
  readonly mix: OperationMix;
  /** Pause between a client's operations: uniform in [0, thinkMs]. */
  readonly thinkMs: number;
  /** One-way client-to-manager latency: uniform in [0, latencyMs]. */
  readonly latencyMs: number;
  /** Share of reads sent to a random manager (a follower read through ReadIndex) instead of the leader. */
  readonly followerReads: number;
  readonly readMode: ReadMode;
  readonly casMode: CasMode;
  /** Attempts per operation while managers answer "not the leader" (or are down). */
  readonly maxAttempts: number;
}

/** What the clients did, for reports. */
export interface ClientStats {
  invoked: number;
  ok: number;
  failed: number;
  unknown: number;
  redirects: number;
  /** Errors outside the store's contract (each a bug to look at). */
  readonly unexpected: string[];
}

/** What the clients share: the cluster, the recorder, fresh values, notes on operations. */
export interface ClientContext {
  readonly cluster: StoreCluster;
  readonly recorder: HistoryRecorder;
  readonly settings: ClientSettings;
  readonly stats: ClientStats;
  /** Where each completed operation was served (manager incarnation, raft index), by operation id. */
  readonly served: Map<number, string>;
  /** A value never written before. */
  nextValue(): number;
  /** Values recently written per key (cas compares against them). */
  readonly recent: Map<string, number[]>;
}

type Attempt<T> = { readonly ok: true; readonly value: T; readonly via: string } | { readonly ok: false; readonly outcome: Outcome; readonly error: unknown };

/** Creates a fresh stats record. */
export function emptyClientStats(): ClientStats {
  return { invoked: 0, ok: 0, failed: 0, unknown: 0, redirects: 0, unexpected: [] };
}

/** One sequential client. */
export class KvClient {
  private stopped = false;
  private running = false;
  private guess: string;

  constructor(
    readonly id: string,
    private readonly ctx: ClientContext,
    private readonly random: Random,
  ) {
    this.guess = random.pick(ctx.cluster.managers).id;
  }

  /** True while an operation (or the pause before one) is under way. */
  get busy(): boolean {
    return this.running;
  }

  /** Starts issuing operations until {@link KvClient.stop}. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** Issues no new operation; the one in flight completes and is recorded. */
  stop(): void {
    this.stopped = true;
  }

  /** One linearizable read of `key` at the leader, retried generously (the final reads after healing). */
  async readOnce(key: string, attempts: number): Promise<void> {
    this.running = true;
    try {
      await this.read(key, false, attempts);
    } finally {
      this.running = false;
    }
  }

  private async loop(): Promise<void> {
    const s = this.ctx.settings;
    try {
      while (!this.stopped) {
        await this.sleep(this.random.int(s.thinkMs + 1));
        if (this.stopped) break;
        await this.one();
      }
    } finally {
      this.running = false;
    }
  }

  private async one(): Promise<void> {
    const { settings: s, recent } = this.ctx;
    const key = this.random.pick(s.keys);
    const { read, write, cas } = s.mix;
    let roll = this.random.next() * (read + write + cas + s.mix.delete);
    if ((roll -= read) < 0) return this.read(key, this.random.chance(s.followerReads), s.maxAttempts);
    if ((roll -= write) < 0) {
      const value = this.ctx.nextValue();
      remember(recent, key, value);
      return this.write('write', key, value, (m) => kvWrite(m, key, value));
    }
    if ((roll -= cas) < 0) {
      const seen = recent.get(key) ?? [];
      const from: KvValue = seen.length === 0 || this.random.chance(0.25) ? null : this.random.pick(seen);
      const to = this.ctx.nextValue();
      remember(recent, key, to);
      return this.write('cas', key, { from, to }, (m) => kvCas(m, key, from, to, s.casMode));
    }
    return this.write('write', key, null, (m) => kvDelete(m, key));
  }

  private async read(key: string, anyManager: boolean, attempts: number): Promise<void> {
    const { recorder, settings } = this.ctx;
    const op = recorder.invoke(this.id, 'read', key);
    this.ctx.stats.invoked++;
    const result = await this.attempt(anyManager, attempts, (m) => {
      if (!anyManager && !m.driver.isLeader) throw new NotLeaderError(m.driver.leader);
      return kvRead(m, key, settings.readMode);
    });
    if (result.ok) {
      this.ctx.served.set(op, `${result.via} read index ${result.value.index}`);
      this.finish(op, result, result.value.value);
    } else this.finish(op, result, undefined);
  }

  private async write<T>(kind: Exclude<OpKind, 'read'>, key: string, input: unknown, run: (m: KvTarget) => Promise<T>): Promise<void> {
    const op = this.ctx.recorder.invoke(this.id, kind, key, input);
    this.ctx.stats.invoked++;
    const result = await this.attempt(false, this.ctx.settings.maxAttempts, run);
    if (result.ok) this.ctx.served.set(op, result.via);
    this.finish(op, result, result.ok && kind === 'cas' ? result.value : undefined);
  }

  private finish<T>(op: number, result: Attempt<T>, output: unknown): void {
    const { recorder, stats } = this.ctx;
    if (result.ok) {
      stats.ok++;
      recorder.ok(op, output);
      return;
    }
    const kind = result.outcome.kind;
    if (kind === 'redirect' || kind === 'failed') {
      stats.failed++;
      recorder.fail(op, result.error);
      return;
    }
    stats.unknown++;
    if (kind === 'unexpected') stats.unexpected.push(`op ${op}: ${describeError(result.error)}`);
    recorder.info(op, result.error);
  }

  /**
   * Sends `run` to the believed leader (or, with `anyManager`, to a random manager), following
   * redirects for up to `attempts` tries. A manager that is down refuses the request (nothing
   * happens there); once a request reached a manager, its outcome is what the manager said.
   */
  private async attempt<T>(anyManager: boolean, attempts: number, run: (m: KvTarget) => Promise<T>): Promise<Attempt<T>> {
    const { cluster, settings, stats } = this.ctx;
    for (let n = 1; ; n++) {
      const target = anyManager ? this.random.pick(cluster.managers).id : this.guess;
      await this.sleep(this.random.int(settings.latencyMs + 1));
      const m = cluster.manager(target);
      let result: Attempt<T>;
      if (m === undefined || !m.isUp || m.store === undefined || m.driver === undefined) {
        result = { ok: false, outcome: { kind: 'redirect', leader: null }, error: new Error(`${target} is down (connection refused)`) };
      } else {
        const via = `${m.id}#${m.incarnation}`;
        try {
          result = { ok: true, value: await run({ store: m.store, driver: m.driver }), via };
        } catch (err) {
          result = { ok: false, outcome: classify(err), error: err };
        }
      }
      await this.sleep(this.random.int(settings.latencyMs + 1));
      if (result.ok) return result;
      const outcome = result.outcome;
      if (outcome.kind !== 'redirect') {
        if (!anyManager) this.guess = this.random.pick(cluster.managers).id;
        return result;
      }
      stats.redirects++;
      if (n >= attempts) return result;
      if (!anyManager) this.guess = outcome.leader ?? this.random.pick(cluster.managers.filter((x) => x.id !== target)).id;
      // Without a known leader, wait for an election; otherwise retry soon.
      await this.sleep(outcome.leader === null ? 50 + this.random.int(250) : this.random.int(20));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => void this.ctx.cluster.clock.setTimeout(resolve, ms));
  }
}

function remember(recent: Map<string, number[]>, key: string, value: number): void {
  const list = recent.get(key) ?? [];
  list.push(value);
  if (list.length > 4) list.shift();
  recent.set(key, list);
}
