import type { ClientId, OpKind, OpStatus, Operation } from './history.js';
import { historyFromJSON, historyToJSON } from './history-json.js';
import type { HistoryJSON } from './history-json.js';

/** Options for {@link HistoryRecorder}. */
export interface HistoryRecorderOptions {
  /** The clock events are stamped with (a simulator's virtual clock); must never go backwards. */
  readonly now: () => number;
  /** Most operations one recorder accepts (default 1,000,000); past it `invoke` throws. */
  readonly maxOperations?: number;
}

interface MutableOp {
  id: number;
  client: ClientId;
  key: string;
  kind: OpKind;
  input: unknown;
  output?: unknown;
  call: number;
  return: number | undefined;
  status: OpStatus | 'pending';
  callSeq?: number;
  returnSeq?: number;
  error?: string;
}

const DEFAULT_MAX_OPERATIONS = 1_000_000;

/**
 * Records a history event by event, as a workload driver sees it: `invoke` when a client sends a
 * request, then exactly one of `ok`, `fail` or `info` when it learns the outcome. Each event is
 * stamped with `now()` and a global sequence number, so events in the same virtual tick keep their
 * real order. A client has at most one operation outstanding; use a fresh client id to model
 * concurrency within one process.
 *
 * @example
 * ```ts
 * const rec = new HistoryRecorder({ now: () => clock.now() });
 * const id = rec.invoke('c1', 'write', 'x', 5);
 * // ...the store replies...
 * rec.ok(id);
 * const r = rec.invoke('c1', 'read', 'x', undefined);
 * rec.ok(r, 5);
 * checkLinearizable(rec.history(), kvModel());
 * ```
 */
export class HistoryRecorder {
  private readonly now: () => number;
  private readonly maxOperations: number;
  private readonly ops = new Map<number, MutableOp>();
  private readonly outstanding = new Map<ClientId, number>();
  private nextId = 0;
  private seq = 0;
  private lastTime = Number.NEGATIVE_INFINITY;

  constructor(options: HistoryRecorderOptions) {
    this.now = options.now;
    this.maxOperations = options.maxOperations ?? DEFAULT_MAX_OPERATIONS;
  }

  /** Records an invocation and returns the operation's id. */
  invoke(client: ClientId, kind: OpKind, key: string, input?: unknown): number {
    if (this.ops.size >= this.maxOperations) throw new RangeError(`HistoryRecorder: more than ${this.maxOperations} operations`);
    const busy = this.outstanding.get(client);
    if (busy !== undefined) throw new Error(`HistoryRecorder: client ${String(client)} invoked while operation ${busy} is outstanding`);
    const id = this.nextId++;
    this.ops.set(id, { id, client, key, kind, input, call: this.time(), return: undefined, status: 'pending', callSeq: this.seq++ });
    this.outstanding.set(client, id);
    return id;
  }

  /** Records that operation `id` completed and took effect, returning `output`. */
  ok(id: number, output?: unknown): void {
    const op = this.complete(id, 'ok');
    if (output !== undefined) op.output = output;
  }

  /** Records that operation `id` definitely did not take effect. */
  fail(id: number, error?: unknown): void {
    const op = this.complete(id, 'fail');
    if (error !== undefined) op.error = message(error);
  }

  /** Records that operation `id`'s outcome is unknown (timeout, lost connection). */
  info(id: number, error?: unknown): void {
    const op = this.complete(id, 'info');
    if (error !== undefined) op.error = message(error);
  }

  /** Operations recorded so far. */
  get size(): number {
    return this.ops.size;
  }

  /** Ids of operations invoked and not yet completed. */
  pending(): number[] {
    return [...this.outstanding.values()];
  }

  /**
   * A snapshot of the history. Operations still pending are reported as `info`: they may or may
   * not take effect, and the checker treats them exactly so.
   */
  history(): Operation[] {
    return [...this.ops.values()].map((op) => {
      const status: OpStatus = op.status === 'pending' ? 'info' : op.status;
      const out: Operation = {
        id: op.id,
        client: op.client,
        key: op.key,
        kind: op.kind,
        input: op.input,
        call: op.call,
        // An info operation keeps the time the client gave up, for reports; the checker ignores it.
        return: op.return,
        status,
        ...(op.callSeq !== undefined ? { callSeq: op.callSeq } : {}),
        ...(op.output !== undefined ? { output: op.output } : {}),
        ...(op.returnSeq !== undefined ? { returnSeq: op.returnSeq } : {}),
        ...(op.error !== undefined ? { error: op.error } : op.status === 'pending' ? { error: 'pending' } : {}),
      };
      return out;
    });
  }

  /** The history as JSON (see {@link HistoryJSON}); `JSON.stringify(recorder)` uses this. */
  toJSON(): HistoryJSON {
    return historyToJSON(this.history());
  }

  /**
   * A recorder holding an exported history, to replay its check or extend it. Pass `now` to record
   * further events; without it only reading is possible.
   */
  static fromJSON(json: unknown, options?: Partial<HistoryRecorderOptions>): HistoryRecorder {
    const ops = historyFromJSON(json);
    const rec = new HistoryRecorder({
      now:
        options?.now ??
        (() => {
          throw new Error('HistoryRecorder: restored from JSON without a clock; pass { now } to record');
        }),
      maxOperations: Math.max(options?.maxOperations ?? DEFAULT_MAX_OPERATIONS, ops.length),
    });
    for (const op of ops) {
      rec.ops.set(op.id, {
        id: op.id,
        client: op.client,
        key: op.key,
        kind: op.kind,
        input: op.input,
        ...(op.output !== undefined ? { output: op.output } : {}),
        call: op.call,
        return: op.return,
        status: op.status,
        ...(op.callSeq !== undefined ? { callSeq: op.callSeq } : {}),
        ...(op.returnSeq !== undefined ? { returnSeq: op.returnSeq } : {}),
        ...(op.error !== undefined ? { error: op.error } : {}),
      });
      rec.nextId = Math.max(rec.nextId, op.id + 1);
      rec.seq = Math.max(rec.seq, (op.callSeq ?? 0) + 1, (op.returnSeq ?? 0) + 1);
      rec.lastTime = Math.max(rec.lastTime, op.call, op.return ?? op.call);
    }
    return rec;
  }

  private complete(id: number, status: OpStatus): MutableOp {
    const op = this.ops.get(id);
    if (op === undefined) throw new Error(`HistoryRecorder: unknown operation ${id}`);
    if (op.status !== 'pending') throw new Error(`HistoryRecorder: operation ${id} already completed (${op.status})`);
    op.status = status;
    op.return = this.time();
    op.returnSeq = this.seq++;
    this.outstanding.delete(op.client);
    return op;
  }

  private time(): number {
    const t = this.now();
    if (!Number.isFinite(t)) throw new RangeError(`HistoryRecorder: now() returned ${t}`);
    if (t < this.lastTime) throw new RangeError(`HistoryRecorder: time went backwards (${t} < ${this.lastTime})`);
    this.lastTime = t;
    return t;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
