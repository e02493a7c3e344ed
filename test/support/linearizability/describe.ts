import type { CheckResult, Counterexample } from './check.js';
import type { Operation } from './history.js';

/** Longest prefix printed in full; longer ones show their head and tail. */
const MAX_PREFIX_LINES = 40;

/**
 * One operation on one line, e.g. `#7 c2 read(x) -> 3 ok [13, 15]`,
 * `#3 c1 cas(x, 1 => 2) -> false ok [4, 9]` or `#9 c4 write(y, 8) info [21, inf)`.
 */
export function formatOperation(op: Operation): string {
  const v = (x: unknown) => JSON.stringify(x) ?? 'undefined';
  let call: string;
  if (op.kind === 'read') call = `read(${op.key})`;
  else if (op.kind === 'write') call = `write(${op.key}, ${v(op.input)})`;
  else {
    const input = op.input as { from?: unknown; to?: unknown } | undefined;
    call = `cas(${op.key}, ${v(input?.from)} => ${v(input?.to)})`;
  }
  const out = op.status === 'ok' && op.output !== undefined ? ` -> ${v(op.output)}` : '';
  const end = op.status === 'ok' ? `${op.return}]` : 'inf)';
  const why = op.error !== undefined && op.status !== 'ok' ? ` (${op.error})` : '';
  return `#${op.id} c${String(op.client)} ${call}${out} ${op.status}${why} [${op.call}, ${end}`;
}

/**
 * A readable account of a check: for `illegal`, the longest linearizable prefix, the state it
 * leaves, and the operation that could not be placed before it returned, with the other pending
 * operations that did not fit either; for `unknown`, which partitions ran out of budget; for
 * `ok`, a one-line summary. Meant as the message of a failing assertion.
 *
 * @example
 * ```ts
 * expect(result.result, describeViolation(result)).toBe('ok');
 * ```
 */
export function describeViolation(result: CheckResult): string {
  const total = result.partitions.length;
  const opCount = result.partitions.reduce((n, p) => n + p.ops, 0);
  const summary = `${opCount} operations in ${total} partition${total === 1 ? '' : 's'}, ${result.steps} search steps, model ${result.model}`;
  if (result.result === 'ok') return `Linearizable: ${summary}.`;
  if (result.result === 'unknown') {
    const keys = result.partitions.filter((p) => p.result === 'unknown').map((p) => JSON.stringify(p.key));
    return `Undecided: the step budget ran out (${summary}). Unfinished partitions: ${keys.join(', ')}. Raise maxSteps or check a shorter history.`;
  }
  const illegal = result.partitions.filter((p) => p.result === 'illegal');
  const lines = [
    `Not linearizable: ${illegal.length} of ${total} partition${total === 1 ? '' : 's'} illegal (${illegal.map((p) => JSON.stringify(p.key)).join(', ')}); ${summary}.`,
  ];
  for (const p of illegal) {
    if (p.counterexample) lines.push('', ...describeCounterexample(p.counterexample, p.ops));
  }
  return lines.join('\n');
}

function describeCounterexample(cx: Counterexample, partitionOps: number): string[] {
  const lines = [`Key ${JSON.stringify(cx.key)}: the longest linearizable prefix places ${cx.prefix.length} of ${partitionOps} operations:`];
  const numbered = cx.prefix.map((op, i) => `  ${i + 1}. ${formatOperation(op)}`);
  if (numbered.length <= MAX_PREFIX_LINES) lines.push(...numbered);
  else {
    const half = MAX_PREFIX_LINES / 2;
    lines.push(...numbered.slice(0, half), `  ... ${numbered.length - MAX_PREFIX_LINES} more ...`, ...numbered.slice(-half));
  }
  if (cx.prefix.length === 0) lines.push('  (none)');
  lines.push(`leaving the state ${cx.stateText}.`);
  const failed = formatOperation(cx.failed);
  if (cx.failedLegal) lines.push(`Then ${failed} had to take effect before it returned; it is legal in that state, but every order that continues from it fails.`);
  else lines.push(`Then ${failed} had to take effect before it returned, but it is not legal in that state.`);
  if (cx.rejected.length > 0) {
    lines.push('The other pending operations are not legal there either:');
    lines.push(...cx.rejected.map((op) => `  - ${formatOperation(op)}`));
  }
  if (cx.accepted.length > 0) {
    lines.push('These pending operations are legal there, but every order that continues from them fails:');
    lines.push(...cx.accepted.map((op) => `  - ${formatOperation(op)}`));
  }
  if (cx.rejected.length + cx.accepted.length === 0) lines.push('No other operation was pending that could have come first.');
  lines.push('No order the search tried gets further than this prefix.');
  return lines;
}
