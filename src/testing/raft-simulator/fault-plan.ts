import type { Random } from '../../runtime/index.js';
import type { FaultWeights } from './options.js';

/**
 * A kind of fault (see {@link FaultWeights}).
 *
 * @public
 */
export type FaultKind = keyof FaultWeights;

/**
 * One fault of a plan: what to do and when (simulated milliseconds from the start). Targets
 * (which member, which link) are drawn when the fault fires, from the seed's `targets` stream,
 * since they depend on the cluster's state then (who leads, who is down).
 *
 * @public
 */
export interface PlannedFault {
  readonly at: number;
  readonly kind: FaultKind;
}

/**
 * Draws the fault schedule of a safety phase: faults at exponentially distributed intervals of
 * mean `meanInterval` over `[0, duration)`, kinds in proportion to `weights`. The first fault
 * comes after at least two seconds, once a first leader has had time to emerge.
 *
 * @public
 */
export function drawFaultPlan(random: Random, duration: number, meanInterval: number, weights: FaultWeights): PlannedFault[] {
  const kinds = (Object.keys(weights) as FaultKind[]).filter((k) => weights[k] > 0);
  const total = kinds.reduce((sum, k) => sum + weights[k], 0);
  const plan: PlannedFault[] = [];
  if (total <= 0) return plan;
  let at = 2_000 + random.exponential(meanInterval);
  // Bounded: at most one fault per 10 ms of simulated time.
  while (at < duration && plan.length < duration / 10) {
    let roll = random.next() * total;
    let kind = kinds[kinds.length - 1] as FaultKind;
    for (const k of kinds) {
      roll -= weights[k];
      if (roll < 0) {
        kind = k;
        break;
      }
    }
    plan.push({ at: Math.round(at), kind });
    at += Math.max(10, random.exponential(meanInterval));
  }
  return plan;
}
