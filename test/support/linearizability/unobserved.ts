import type { Operation } from './history.js';
import type { RegisterValue } from './register-model.js';

/**
 * Stands for every written value that no operation could have seen: the register models'
 * {@link simplifyRegisterOps} writes this instead, so states that differ only in such a value
 * become one state for the search's cache.
 */
export const UNOBSERVED = '\u0000flotilla:unobserved';

/**
 * The register models' simplification. Per key (or over all operations, for a single register), a
 * value is observable if an `ok` read returned it or a (non-failed) cas compares against it.
 *
 * 1. Every write, and every cas `to`, of an unobservable value writes {@link UNOBSERVED} instead.
 *    Exact: no read returns either value and no cas compares against either, so every operation is
 *    legal after one exactly when it is legal after the other, with the same effect.
 * 2. Unless the key has an `ok` cas that returned `false` (which an overwrite could excuse), `info`
 *    operations that write an unobservable value are dropped. Sound: remove such an operation from a
 *    linearization; until the next write the register holds the previous value instead of one
 *    nobody reads or compares against, and what lies in between is only `info` cas operations that
 *    did not swap, which are free not to take effect either.
 *
 * Nothing is rewritten if the history itself contains the sentinel string.
 *
 * Timeouts on writes are common under faults; without this, each one stays a candidate for the
 * rest of the search and multiplies the states it must tell apart.
 */
export function simplifyRegisterOps(ops: readonly Operation[], perKey: boolean): Operation[] {
  if (ops.some(mentionsSentinel)) return [...ops];
  const groups = new Map<string, { observed: Set<unknown>; failedCompare: boolean }>();
  const groupOf = (op: Operation) => {
    const k = perKey ? op.key : '';
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = { observed: new Set([UNOBSERVED]), failedCompare: false }));
    return g;
  };
  for (const op of ops) {
    const g = groupOf(op);
    if (op.status === 'fail') continue;
    if (op.kind === 'read' && op.status === 'ok') g.observed.add(op.output);
    if (op.kind === 'cas') {
      g.observed.add(casInput(op)?.from);
      if (op.status === 'ok' && op.output === false) g.failedCompare = true;
    }
  }
  const out: Operation[] = [];
  for (const op of ops) {
    const g = groupOf(op);
    if (op.kind === 'read') {
      out.push(op);
      continue;
    }
    const cas = op.kind === 'cas' ? casInput(op) : undefined;
    const written: unknown = op.kind === 'write' ? op.input : cas?.to;
    if (g.observed.has(written) || (op.kind === 'cas' && cas === undefined)) out.push(op);
    else if (op.status === 'info' && !g.failedCompare) continue;
    else if (op.kind === 'write') out.push({ ...op, input: UNOBSERVED });
    else out.push({ ...op, input: { from: cas?.from, to: UNOBSERVED } });
  }
  return out;
}

/** True if the history itself uses the sentinel, in which case nothing is rewritten. */
function mentionsSentinel(op: Operation): boolean {
  const cas = op.kind === 'cas' ? casInput(op) : undefined;
  return op.input === UNOBSERVED || op.output === UNOBSERVED || cas?.from === UNOBSERVED || cas?.to === UNOBSERVED;
}

function casInput(op: Operation): { from: RegisterValue; to: RegisterValue } | undefined {
  const x = op.input;
  if (typeof x !== 'object' || x === null || !('from' in x) || !('to' in x)) return undefined;
  return x as { from: RegisterValue; to: RegisterValue };
}

/** Renders a register value, naming {@link UNOBSERVED} for what it is. */
export function showValue(v: RegisterValue): string {
  return v === UNOBSERVED ? '(a value nobody read)' : JSON.stringify(v);
}
