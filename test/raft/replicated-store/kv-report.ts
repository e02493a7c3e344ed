/**
 * Turns a {@link KvScenarioResult} into a verdict and, when it fails, a report that starts with
 * `SEED=<n>` and the command that replays it.
 */
import { describeViolation, formatOperation } from '../../support/linearizability/index.js';
import type { KvScenarioResult } from './kv-scenario.js';

/** What went wrong in a run: empty when the run passed. */
export function scenarioProblems(result: KvScenarioResult): string[] {
  const problems: string[] = [];
  if (result.violation !== undefined) problems.push(`cluster check failed: ${result.violation.message}`);
  if (result.check.result === 'illegal') problems.push('the history is not linearizable');
  if (result.check.result === 'unknown') problems.push('the checker ran out of budget (undecided)');
  if (result.stats.unexpected.length > 0) problems.push(`errors outside the store's contract: ${result.stats.unexpected.slice(0, 5).join('; ')}`);
  return problems;
}

/** One line on what a run did. */
export function summarize(result: KvScenarioResult): string {
  const s = result.settings;
  const st = result.stats;
  return (
    `seed ${s.seed}: ${s.members} managers (${s.storage}), ${s.clients} clients, keys [${s.keys.join(',')}], ${result.faults} faults (${s.profile}), tick ${s.tickInterval}ms, ` +
    `${result.terms} terms, ${(result.simulatedMs / 1000).toFixed(1)}s simulated; ops ${st.invoked} (ok ${st.ok}, failed ${st.failed}, unknown ${st.unknown}), ` +
    `checker ${result.check.result} in ${result.check.steps} steps`
  );
}

/**
 * The failure report: `SEED=<n>`, how to replay it, the settings, what failed, the checker's
 * counterexample with where each of its operations was served, and the last events of the run.
 */
export function scenarioReport(result: KvScenarioResult, file: string): string {
  const s = result.settings;
  const env = s.storage === 'file' ? 'SIM_STORAGE=file ' : '';
  const lines = [
    `SEED=${s.seed}`,
    `replay: ${env}SEED=${s.seed} npx vitest run ${file}`,
    summarize(result),
    ...scenarioProblems(result).map((p) => `- ${p}`),
  ];
  if (result.check.result !== 'ok') {
    lines.push('', describeViolation(result.check));
    const cx = result.check.counterexample;
    if (cx !== undefined) {
      lines.push('', 'Where the counterexample operations were served:');
      for (const op of [...cx.prefix.slice(-10), cx.failed, ...cx.rejected, ...cx.accepted]) {
        lines.push(`  ${formatOperation(op)}: ${result.served.get(op.id) ?? '-'}`);
      }
      const keyOps = result.history.filter((op) => op.key === cx.key).sort((a, b) => a.call - b.call);
      lines.push('', `Every operation on key ${JSON.stringify(cx.key)} (${keyOps.length}), by invocation:`);
      for (const op of keyOps.slice(-60)) lines.push(`  ${formatOperation(op)}: ${result.served.get(op.id) ?? '-'}`);
    }
  }
  lines.push('', 'Last events:', ...result.trace.map((t) => `  ${t}`));
  return lines.join('\n');
}
