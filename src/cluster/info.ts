import { DEFAULT_CLUSTER_NAME, DEFAULT_CLUSTER_SETTINGS } from '../api/index.js';
import type { Cluster } from './cluster.js';

/**
 * The Swarm part of `docker info`.
 *
 * @public
 */
export interface ClusterInfo {
  /** The cluster object's id. */
  readonly clusterId: string;
  /** Nodes in the cluster. */
  readonly nodes: number;
  /** Manager nodes. */
  readonly managers: number;
  /** The leader's address, if any. */
  readonly leader: string | undefined;
  /** Whether the managers replicate through raft (more than one manager). */
  readonly raft: {
    readonly enabled: boolean;
    readonly snapshotInterval: number;
    readonly keepOldSnapshots: number;
    readonly logEntriesForSlowFollowers: number;
    readonly heartbeatTick: number;
    readonly electionTick: number;
  };
  /** Orchestration settings. */
  readonly orchestration: { readonly taskHistoryRetentionLimit: number };
  /** Dispatcher settings, in milliseconds. */
  readonly dispatcher: { readonly heartbeatPeriod: number; readonly nodeDownPeriod: number };
  /** Services and tasks in the store. */
  readonly services: number;
  readonly tasks: number;
}

/** Builds {@link ClusterInfo} from the leader's store. @internal */
export function clusterInfo(cluster: Cluster): ClusterInfo {
  return cluster.view((tx) => {
    const obj = tx.clusters.find({ name: DEFAULT_CLUSTER_NAME })[0];
    const spec = obj?.spec;
    const d = DEFAULT_CLUSTER_SETTINGS;
    const nodes = tx.nodes.all();
    const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
    return {
      clusterId: obj?.id ?? '',
      nodes: nodes.length,
      managers: nodes.filter((n) => n.role === 'manager').length,
      leader: cluster.leader,
      raft: {
        enabled: cluster.managers.length > 1,
        snapshotInterval: spec?.raft?.snapshotInterval ?? d.snapshotInterval,
        keepOldSnapshots: spec?.raft?.keepOldSnapshots ?? d.keepOldSnapshots,
        logEntriesForSlowFollowers: spec?.raft?.logEntriesForSlowFollowers ?? d.logEntriesForSlowFollowers,
        heartbeatTick: spec?.raft?.heartbeatTick ?? d.heartbeatTick,
        electionTick: spec?.raft?.electionTick ?? d.electionTick,
      },
      orchestration: { taskHistoryRetentionLimit: spec?.orchestration?.taskHistoryRetentionLimit ?? d.taskHistoryRetentionLimit },
      dispatcher: {
        heartbeatPeriod: num(spec?.dispatcher?.heartbeatPeriod, d.heartbeatPeriod),
        nodeDownPeriod: num(spec?.dispatcher?.nodeDownPeriod, d.nodeDownPeriod),
      },
      services: tx.services.all().length,
      tasks: tx.tasks.all().length,
    };
  });
}
