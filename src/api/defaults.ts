import type { RestartCondition } from './specs.js';

// Docker's defaults, as SwarmKit's `api/defaults` and the Docker CLI fill them. Durations are in
// milliseconds. The validators fill these into every spec they return.

/** Replicas of a replicated service when unset. @public */
export const DEFAULT_REPLICAS = 1;

/** Tasks a replicated job runs at once when unset (its total completions default to this too). @public */
export const DEFAULT_MAX_CONCURRENT = 1;

/** Time a container gets to stop before it is killed, when unset (10 s). @public */
export const DEFAULT_STOP_GRACE_PERIOD_MS = 10_000;

/** File mode of a secret or config file when unset (read-only for all), as Docker's CLI sets it. @public */
export const DEFAULT_FILE_MODE = 0o444;

/** A restart policy with every field filled. @public */
export interface RestartPolicyDefaults {
  readonly condition: RestartCondition;
  readonly delay: number;
  readonly maxAttempts: number;
  readonly window: number;
}

/** A service's restart policy when unset: always restart, after 5 s, without limit. @public */
export const DEFAULT_RESTART_POLICY: RestartPolicyDefaults = Object.freeze({ condition: 'any', delay: 5000, maxAttempts: 0, window: 0 });

/**
 * A job's restart policy when unset: restart only failed tasks (SwarmKit treats `any` as
 * `on-failure` for jobs, since a completed job task must not run again).
 *
 * @public
 */
export const DEFAULT_JOB_RESTART_POLICY: RestartPolicyDefaults = Object.freeze({ condition: 'on-failure', delay: 5000, maxAttempts: 0, window: 0 });

/** An update or rollback config with every field filled. @public */
export interface UpdateConfigDefaults {
  readonly parallelism: number;
  readonly delay: number;
  readonly failureAction: 'pause' | 'continue' | 'rollback';
  readonly monitor: number;
  readonly maxFailureRatio: number;
  readonly order: 'stop-first' | 'start-first';
}

/**
 * Update and rollback behaviour when unset: one task at a time, no delay, pause on failure, watch
 * each new task for 5 s, tolerate no failures, stop the old task first.
 *
 * @public
 */
export const DEFAULT_UPDATE_CONFIG: UpdateConfigDefaults = Object.freeze({
  parallelism: 1,
  delay: 0,
  failureAction: 'pause',
  monitor: 5000,
  maxFailureRatio: 0,
  order: 'stop-first',
});

/** Network driver when unset. @public */
export const DEFAULT_NETWORK_DRIVER = 'overlay';

/** IPAM driver when a network's IPAM section does not name one. @public */
export const DEFAULT_IPAM_DRIVER = 'default';

/** Name of the one cluster object. @public */
export const DEFAULT_CLUSTER_NAME = 'default';

/** The cluster settings when unset (SwarmKit's defaults, plus Flotilla's node-down period). @public */
export const DEFAULT_CLUSTER_SETTINGS = Object.freeze({
  taskHistoryRetentionLimit: 5,
  snapshotInterval: 10_000,
  keepOldSnapshots: 0,
  logEntriesForSlowFollowers: 500,
  heartbeatTick: 1,
  electionTick: 10,
  heartbeatPeriod: 5_000,
  nodeDownPeriod: 24 * 3_600_000,
  nodeCertExpiry: 90 * 24 * 3_600_000,
} as const);

/** The shortest node certificate lifetime SwarmKit accepts: 1 hour. @public */
export const MIN_NODE_CERT_EXPIRY_MS = 3_600_000;
