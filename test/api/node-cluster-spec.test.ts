import { describe, expect, it } from 'vitest';
import {
  safeValidateClusterSpec,
  safeValidateNodeSpecUpdate,
  validateClusterSpec,
  validateNodeSpecUpdate,
  type ClusterSpec,
  type NodeSpec,
} from '../../src/api/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { isDeepFrozen } from './support/specs.js';

const nodeIssues = (input: unknown, current?: NodeSpec) => {
  const r = safeValidateNodeSpecUpdate(input, current);
  return r.ok ? [] : r.issues;
};
const clusterIssues = (input: unknown) => {
  const r = safeValidateClusterSpec(input);
  return r.ok ? [] : r.issues;
};

describe('validateNodeSpecUpdate', () => {
  it('returns a frozen copy holding only the fields given', () => {
    const input = { availability: 'drain' as const, labels: { zone: 'a' } };
    const out = validateNodeSpecUpdate(input);
    expect(out).toStrictEqual({ availability: 'drain', labels: { zone: 'a' } });
    expect(out).not.toBe(input);
    expect(isDeepFrozen(out)).toBe(true);
    expect(validateNodeSpecUpdate({})).toStrictEqual({});
  });

  it.each([
    ['the role is manager or worker', { role: 'leader' }, 'role', 'must be one of manager, worker'],
    ['the availability is active, pause or drain', { availability: 'off' }, 'availability', 'must be one of active, pause, drain'],
    ['the membership is pending or accepted', { membership: 'rejected' }, 'membership', 'must be one of pending, accepted'],
    ['label keys are not empty', { labels: { '': 'x' } }, 'labels', 'keys must not be empty'],
    ['label values are strings', { labels: { zone: 1 } }, 'labels.zone', 'must be a string'],
    ['unknown fields are issues', { hostname: 'x' }, 'hostname', 'unknown field'],
  ])('%s', (_rule, input, path, message) => {
    expect(nodeIssues(input)).toEqual([{ path, message }]);
  });

  it('refuses to move an accepted node back to pending', () => {
    const current: NodeSpec = { role: 'worker', membership: 'accepted', availability: 'active' };
    expect(nodeIssues({ membership: 'pending' }, current)).toEqual([{ path: 'membership', message: 'cannot change from accepted back to pending' }]);
    expect(nodeIssues({ membership: 'accepted' }, { ...current, membership: 'pending' })).toEqual([]);
    expect(nodeIssues({ membership: 'pending' })).toEqual([]);
  });

  it('throws one ValidationError with every issue', () => {
    expect(() => validateNodeSpecUpdate({ role: 'boss', availability: 'gone' } as unknown as NodeSpec)).toThrow(ValidationError);
    expect(nodeIssues({ role: 'boss', availability: 'gone' })).toHaveLength(2);
  });
});

describe('validateClusterSpec', () => {
  it('fills every cluster default, durations in milliseconds', () => {
    expect(validateClusterSpec({ name: 'default' })).toStrictEqual({
      name: 'default',
      orchestration: { taskHistoryRetentionLimit: 5 },
      raft: { snapshotInterval: 10_000, keepOldSnapshots: 0, logEntriesForSlowFollowers: 500, heartbeatTick: 1, electionTick: 10 },
      dispatcher: { heartbeatPeriod: 5000, nodeDownPeriod: 86_400_000 },
      caConfig: { nodeCertExpiry: 7_776_000_000 },
    });
  });

  it('keeps the values given, converting durations, and returns a deep-frozen spec', () => {
    const out = validateClusterSpec({
      name: 'default',
      orchestration: { taskHistoryRetentionLimit: -1 },
      raft: { heartbeatTick: 2, electionTick: 20 },
      dispatcher: { heartbeatPeriod: '2s', nodeDownPeriod: '1h' },
      caConfig: { nodeCertExpiry: '720h' },
      taskDefaults: { logDriver: { name: 'json-file', options: { 'max-file': '3' } } },
    });
    expect(out.orchestration).toStrictEqual({ taskHistoryRetentionLimit: -1 });
    expect(out.raft).toMatchObject({ heartbeatTick: 2, electionTick: 20 });
    expect(out.dispatcher).toStrictEqual({ heartbeatPeriod: 2000, nodeDownPeriod: 3_600_000 });
    expect(out.caConfig).toStrictEqual({ nodeCertExpiry: 2_592_000_000 });
    expect(out.taskDefaults).toStrictEqual({ logDriver: { name: 'json-file', options: { 'max-file': '3' } } });
    expect(isDeepFrozen(out)).toBe(true);
  });

  it.each([
    ['the name is default', { name: 'prod' }, 'name', 'must be "default" (the cluster object cannot be renamed)'],
    ['a name is required', {}, 'name', 'is required'],
    ['the retention limit is an integer', { name: 'default', orchestration: { taskHistoryRetentionLimit: 2.5 } }, 'orchestration.taskHistoryRetentionLimit', 'must be an integer'],
    ['the heartbeat period is greater than 0', { name: 'default', dispatcher: { heartbeatPeriod: 0 } }, 'dispatcher.heartbeatPeriod', 'must be greater than 0'],
    ['the heartbeat period is a valid duration', { name: 'default', dispatcher: { heartbeatPeriod: '5 s' } }, 'dispatcher.heartbeatPeriod', 'invalid duration "5 s": missing or unknown unit (use ns, us, ms, s, m or h)'],
    ['the node-down period is greater than 0', { name: 'default', dispatcher: { nodeDownPeriod: '0s' } }, 'dispatcher.nodeDownPeriod', 'must be greater than 0'],
    ['the heartbeat tick is >= 1', { name: 'default', raft: { heartbeatTick: 0 } }, 'raft.heartbeatTick', 'must be >= 1'],
    ['the election tick exceeds the heartbeat tick', { name: 'default', raft: { heartbeatTick: 3, electionTick: 3 } }, 'raft.electionTick', 'must be greater than raft.heartbeatTick (3)'],
    ['the election tick exceeds the default heartbeat tick', { name: 'default', raft: { electionTick: 1 } }, 'raft.electionTick', 'must be greater than raft.heartbeatTick (1)'],
    ['the snapshot interval is >= 1', { name: 'default', raft: { snapshotInterval: 0 } }, 'raft.snapshotInterval', 'must be >= 1'],
    ['node certificates last at least 1 hour', { name: 'default', caConfig: { nodeCertExpiry: '59m' } }, 'caConfig.nodeCertExpiry', 'must be at least 1h'],
    ['a task default log driver has a name', { name: 'default', taskDefaults: { logDriver: {} } }, 'taskDefaults.logDriver.name', 'is required'],
    ['unknown sections are issues', { name: 'default', encryption: {} }, 'encryption', 'unknown field'],
    ['unknown settings are issues', { name: 'default', raft: { tickMs: 100 } }, 'raft.tickMs', 'unknown field'],
  ])('%s', (_rule, input, path, message) => {
    expect(clusterIssues(input)).toEqual([{ path, message }]);
  });

  it('accepts a certificate expiry of exactly 1 hour', () => {
    expect(validateClusterSpec({ name: 'default', caConfig: { nodeCertExpiry: '1h' } }).caConfig).toStrictEqual({ nodeCertExpiry: 3_600_000 });
  });

  it('is idempotent', () => {
    const once = validateClusterSpec({ name: 'default', dispatcher: { heartbeatPeriod: '3s' } });
    expect(validateClusterSpec(once)).toStrictEqual(once);
  });

  it('throws one ValidationError with every issue', () => {
    let caught: unknown;
    try {
      validateClusterSpec({ name: 'x', raft: { heartbeatTick: 0 }, caConfig: { nodeCertExpiry: 1000 } } as ClusterSpec);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.path)).toEqual(['name', 'raft.heartbeatTick', 'caConfig.nodeCertExpiry']);
  });
});
