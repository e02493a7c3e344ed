import { DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER_SETTINGS } from '../api/index.js';
import { parseDuration, type Duration } from '../runtime/index.js';
import type { ReadTx } from '../store/index.js';

/** The dispatcher's timing, in milliseconds. @internal */
export interface DispatcherSettings {
  readonly heartbeatPeriod: number;
  readonly nodeDownPeriod: number;
}

function duration(value: Duration | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  try {
    const ms = parseDuration(value);
    return ms > 0 ? ms : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Reads the heartbeat period and node-down period from the cluster object (`default`), falling
 * back to the dispatcher's options and then to Docker's defaults (5 s, 24 h).
 *
 * @internal
 */
export function readSettings(tx: ReadTx, fallback: Partial<DispatcherSettings>): DispatcherSettings {
  const cluster = tx.clusters.find({ name: DEFAULT_CLUSTER_NAME })[0];
  const spec = cluster?.spec.dispatcher;
  return {
    heartbeatPeriod: duration(spec?.heartbeatPeriod, fallback.heartbeatPeriod ?? DEFAULT_CLUSTER_SETTINGS.heartbeatPeriod),
    nodeDownPeriod: duration(spec?.nodeDownPeriod, fallback.nodeDownPeriod ?? DEFAULT_CLUSTER_SETTINGS.nodeDownPeriod),
  };
}
