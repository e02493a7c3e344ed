/**
 * The seed sweep of the replicated KV workload, shared by the test/raft/simulator/linearizability-*
 * files (split so vitest runs them in parallel).
 *
 * Environment:
 * - `LIN_SEEDS=<n>`: seeds in the whole sweep (default 200), `LIN_FROM=<n>`: the first (default 1).
 * - `SEED=<n>`: replay that one seed, in whichever sweep file is run.
 * - `SIM_STORAGE=file`: managers persist to FileRaftStorage on a crashable simulated disk.
 */
import { expect } from 'vitest';
import { scenarioProblems, scenarioReport } from './kv-report.js';
import { runKvScenario, type KvScenarioResult } from './kv-scenario.js';

/** The seed to replay alone (`SEED=<n>`), if any. */
export const REPLAY_SEED: number | undefined = parseSeed(process.env.SEED);

/** Seeds in the whole sweep. */
export const LIN_SEEDS = positive(process.env.LIN_SEEDS, 200);

/** The first seed of the sweep. */
export const LIN_FROM = positive(process.env.LIN_FROM, 1);

/** Sweep files the seeds are split across. */
export const LIN_FILES = 2;

/** This file's share of the sweep as `[from, to]` chunks, one `it` each (or the replayed seed alone). */
export function sweepChunks(part: number, chunk = 25): [number, number][] {
  if (REPLAY_SEED !== undefined) return [[REPLAY_SEED, REPLAY_SEED]];
  const per = Math.ceil(LIN_SEEDS / LIN_FILES);
  const first = LIN_FROM + part * per;
  const last = Math.min(LIN_FROM + LIN_SEEDS - 1, first + per - 1);
  const out: [number, number][] = [];
  for (let from = first; from <= last; from += chunk) out.push([from, Math.min(last, from + chunk - 1)]);
  return out;
}

/**
 * Runs seeds `from..to` and fails with the full report of every failing seed (each starts with
 * `SEED=<n>` and the command replaying it through `file`). Returns the results for further checks.
 */
export async function expectSeedsLinearizable(from: number, to: number, file: string): Promise<KvScenarioResult[]> {
  const results: KvScenarioResult[] = [];
  const reports: string[] = [];
  for (let seed = from; seed <= to; seed++) {
    const result = await runKvScenario({ seed });
    results.push(result);
    if (scenarioProblems(result).length > 0) reports.push(scenarioReport(result, file));
  }
  const failed = results.filter((r) => scenarioProblems(r).length > 0).map((r) => r.settings.seed);
  expect(failed, reports.join('\n\n')).toEqual([]);
  return results;
}

function parseSeed(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`SEED must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

function positive(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}
