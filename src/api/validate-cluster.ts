import { deepFreeze } from './deep-freeze.js';
import { DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER_SETTINGS, MIN_NODE_CERT_EXPIRY_MS } from './defaults.js';
import type { ClusterSpec } from './specs.js';
import { Fields, compact, runValidation, unwrap, type Issues, type ValidationResult } from './validate-common.js';
import { validateLogDriver } from './validate-task.js';

const D = DEFAULT_CLUSTER_SETTINGS;
const CLUSTER_FIELDS = ['name', 'labels', 'orchestration', 'raft', 'dispatcher', 'caConfig', 'taskDefaults'];

function section(issues: Issues, f: Fields, key: string, known: readonly string[]): Fields | undefined {
  const value = f.get(key);
  return value === undefined ? undefined : Fields.of(issues, value, f.at(key), known);
}

function positiveDuration(f: Fields | undefined, key: string, fallback: number): number {
  const ms = f?.duration(key);
  if (ms === undefined || f === undefined) return fallback;
  if (ms <= 0) f.issues.add(f.at(key), 'must be greater than 0');
  return ms;
}

function checkCluster(issues: Issues, input: unknown): ClusterSpec | undefined {
  const f = Fields.of(issues, input, '', CLUSTER_FIELDS);
  if (f === undefined) return undefined;
  let name: string | undefined;
  if (f.require('name')) {
    name = f.string('name');
    if (name !== undefined && name !== DEFAULT_CLUSTER_NAME) {
      issues.add('name', `must be "${DEFAULT_CLUSTER_NAME}" (the cluster object cannot be renamed)`);
      name = undefined;
    }
  }
  const labels = f.record('labels');

  const o = section(issues, f, 'orchestration', ['taskHistoryRetentionLimit']);
  // A negative limit keeps every task (SwarmKit).
  const orchestration = { taskHistoryRetentionLimit: o?.integer('taskHistoryRetentionLimit') ?? D.taskHistoryRetentionLimit };

  const r = section(issues, f, 'raft', ['snapshotInterval', 'keepOldSnapshots', 'logEntriesForSlowFollowers', 'heartbeatTick', 'electionTick']);
  const raft = {
    snapshotInterval: r?.integer('snapshotInterval', { min: 1 }) ?? D.snapshotInterval,
    keepOldSnapshots: r?.integer('keepOldSnapshots', { min: 0 }) ?? D.keepOldSnapshots,
    logEntriesForSlowFollowers: r?.integer('logEntriesForSlowFollowers', { min: 0 }) ?? D.logEntriesForSlowFollowers,
    heartbeatTick: r?.integer('heartbeatTick', { min: 1 }) ?? D.heartbeatTick,
    electionTick: r?.integer('electionTick', { min: 1 }) ?? D.electionTick,
  };
  if (raft.electionTick <= raft.heartbeatTick) {
    issues.add('raft.electionTick', `must be greater than raft.heartbeatTick (${raft.heartbeatTick})`);
  }

  const d = section(issues, f, 'dispatcher', ['heartbeatPeriod', 'nodeDownPeriod']);
  const dispatcher = {
    heartbeatPeriod: positiveDuration(d, 'heartbeatPeriod', D.heartbeatPeriod),
    nodeDownPeriod: positiveDuration(d, 'nodeDownPeriod', D.nodeDownPeriod),
  };

  const c = section(issues, f, 'caConfig', ['nodeCertExpiry']);
  const expiry = c?.duration('nodeCertExpiry');
  if (expiry !== undefined && expiry < MIN_NODE_CERT_EXPIRY_MS) issues.add('caConfig.nodeCertExpiry', 'must be at least 1h');
  const caConfig = { nodeCertExpiry: expiry ?? D.nodeCertExpiry };

  const t = section(issues, f, 'taskDefaults', ['logDriver']);
  const taskDefaults = t === undefined ? undefined : compact({ logDriver: t.object('logDriver', (v, p) => validateLogDriver(issues, v, p)) });

  if (name === undefined) return undefined;
  return compact<ClusterSpec>({ name, labels, orchestration, raft, dispatcher, caConfig, taskDefaults });
}

/** Validates a cluster spec without throwing (see {@link validateClusterSpec}). @public */
export function safeValidateClusterSpec(input: unknown): ValidationResult<ClusterSpec> {
  return runValidation((issues) => {
    const spec = checkCluster(issues, input);
    return spec === undefined ? undefined : deepFreeze(spec);
  });
}

/**
 * Validates the cluster settings, as `docker swarm update` changes them, and returns a new,
 * deep-frozen spec with every setting filled: task history 5 per slot (negative keeps all);
 * raft snapshot every 10,000 entries, 0 old snapshots kept, 500 entries kept for slow followers,
 * heartbeat tick 1, election tick 10; dispatcher heartbeat 5 s; node-down period 24 h; node
 * certificates valid 90 days. Durations become milliseconds.
 *
 * Rules: the name is `default` (the one cluster object); counts are integers; the election tick
 * exceeds the heartbeat tick (raft needs it) and the heartbeat tick is at least 1; the heartbeat and
 * node-down periods are greater than 0; node certificates last at least 1 hour.
 *
 * @throws ValidationError listing every issue found
 * @public
 */
export function validateClusterSpec(input: ClusterSpec): ClusterSpec {
  return unwrap(safeValidateClusterSpec(input));
}
