import type { Random } from '../../../src/runtime/index.js';
import type { OpKind, OpStatus, Operation } from './history.js';
import type { RegisterValue } from './register-model.js';

/** Options for {@link generateLinearizableHistory}. Rates are probabilities per operation. */
export interface GenerateOptions {
  readonly operations: number;
  readonly clients: number;
  /** Key names; operations pick one uniformly. Default `['x']`. */
  readonly keys?: readonly string[];
  /** Share of reads (default 0.5); the rest are split between writes and cas by `casRate`. */
  readonly readRate?: number;
  /** Share of non-reads that are cas (default 0.3). */
  readonly casRate?: number;
  /** Operations whose outcome the client never learns (default 0.05); half of them take effect. */
  readonly infoRate?: number;
  /** Operations that fail without taking effect (default 0.05). */
  readonly failRate?: number;
  /** Longest gap between a client's operations, and longest half-window of one (default 10). */
  readonly maxDelay?: number;
}

/** Largest history the generator builds. */
export const MAX_GENERATED_OPERATIONS = 1_000_000;

interface Planned {
  readonly id: number;
  readonly client: number;
  readonly key: string;
  readonly kind: OpKind;
  readonly input: unknown;
  readonly call: number;
  readonly return: number | undefined;
  readonly status: OpStatus;
  /** When it takes effect, or undefined if it never does. */
  readonly at: number | undefined;
}

/**
 * Builds a history of a correct (single-copy) register store: each client issues operations one at
 * a time; every operation that takes effect does so at a random instant inside its call/return
 * window, and outputs are computed by applying the operations in the order of those instants. So
 * the history is linearizable by construction. Written values are unique positive integers; the
 * initial value is `null`.
 */
export function generateLinearizableHistory(random: Random, options: GenerateOptions): Operation[] {
  const { operations, clients } = options;
  if (!Number.isSafeInteger(operations) || operations < 0 || operations > MAX_GENERATED_OPERATIONS) {
    throw new RangeError(`operations must be an integer in [0, ${MAX_GENERATED_OPERATIONS}]`);
  }
  if (!Number.isSafeInteger(clients) || clients < 1) throw new RangeError('clients must be a positive integer');
  const keys = options.keys ?? ['x'];
  const readRate = options.readRate ?? 0.5;
  const casRate = options.casRate ?? 0.3;
  const infoRate = options.infoRate ?? 0.05;
  const failRate = options.failRate ?? 0.05;
  const maxDelay = options.maxDelay ?? 10;

  const free = new Array<number>(clients).fill(0);
  const written = new Map<string, RegisterValue[]>();
  let nextValue = 1;
  const planned: Planned[] = [];
  for (let id = 0; id < operations; id++) {
    const client = random.int(clients);
    const key = random.pick(keys);
    const kind: OpKind = random.chance(readRate) ? 'read' : random.chance(casRate) ? 'cas' : 'write';
    let input: unknown = undefined;
    if (kind === 'write') input = nextValue++;
    if (kind === 'cas') {
      const seen = written.get(key) ?? [];
      const from = seen.length === 0 || random.chance(0.2) ? null : random.pick(seen.slice(-3));
      input = { from, to: nextValue++ };
    }
    if (kind !== 'read') {
      const to = kind === 'write' ? input : (input as { to: RegisterValue }).to;
      written.set(key, [...(written.get(key) ?? []).slice(-5), to as RegisterValue]);
    }
    const call = (free[client] as number) + random.int(maxDelay + 1);
    const at = call + random.int(maxDelay + 1);
    const ret = at + random.int(maxDelay + 1);
    free[client] = ret;
    const roll = random.next();
    if (roll < infoRate) {
      // Unknown outcome: the client gives up at `ret`; the effect, if any, may land later.
      const effect = random.chance(0.5) ? call + random.int(3 * maxDelay + 1) : undefined;
      planned.push({ id, client, key, kind, input, call, return: ret, status: 'info', at: effect });
    } else if (roll < infoRate + failRate) {
      planned.push({ id, client, key, kind, input, call, return: ret, status: 'fail', at: undefined });
    } else {
      planned.push({ id, client, key, kind, input, call, return: ret, status: 'ok', at });
    }
  }

  const outputs = new Map<number, unknown>();
  const values = new Map<string, RegisterValue>();
  const effective = planned.filter((p) => p.at !== undefined).sort((a, b) => (a.at as number) - (b.at as number) || a.id - b.id);
  for (const p of effective) {
    const current = values.get(p.key) ?? null;
    if (p.kind === 'read') outputs.set(p.id, current);
    else if (p.kind === 'write') values.set(p.key, p.input as RegisterValue);
    else {
      const { from, to } = p.input as { from: RegisterValue; to: RegisterValue };
      outputs.set(p.id, current === from);
      if (current === from) values.set(p.key, to);
    }
  }
  return planned.map((p) => ({
    id: p.id,
    client: p.client,
    key: p.key,
    kind: p.kind,
    input: p.input,
    ...(p.status === 'ok' && outputs.has(p.id) ? { output: outputs.get(p.id) } : {}),
    call: p.call,
    return: p.return,
    status: p.status,
  }));
}
