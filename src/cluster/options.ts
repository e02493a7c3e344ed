import type { Labels, NodeAvailability, NodeRole, Platform, Resources } from '../api/index.js';
import type { Executor } from '../executor/index.js';
import type { SimulatedBehaviours } from '../executor/simulated/index.js';
import type { Clock, Duration, Logger, Random } from '../runtime/index.js';
import type { SchedulingStrategyOption } from './wiring.js';

/**
 * How to build one node of a cluster: its role, name and what its simulated executor offers.
 *
 * @public
 */
export interface NodeOptions {
  /** `manager` or `worker` (default `worker`). */
  readonly role?: NodeRole;
  /** The node's hostname and transport address (default `manager-N` / `worker-N`). */
  readonly hostname?: string;
  /** Node labels (`node.labels.*` in constraints), set by the operator. */
  readonly labels?: Labels;
  /** Engine labels (`engine.labels.*`), reported by the executor. */
  readonly engineLabels?: Labels;
  /** Capacity of a simulated node (default 4 CPUs, 8 GiB). */
  readonly resources?: Resources;
  /** Platform of a simulated node (default linux/amd64). */
  readonly platform?: Platform;
  /** Availability to start with (default `active`). */
  readonly availability?: NodeAvailability;
  /** The executor to run the node's tasks; default: the cluster's executor factory. */
  readonly executor?: Executor;
}

/** What an executor factory is told about the node it serves. @public */
export interface ExecutorContext {
  readonly hostname: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly node: NodeOptions;
}

/** Settings shared by {@link Cluster.create} and {@link Cluster.simulate}. @public */
export interface ClusterOptions {
  /** Manager nodes to start (default 1). One manager runs without raft; more form a raft group. */
  readonly managers?: number;
  /** Worker nodes to start (default 0). */
  readonly workers?: number;
  /** Per-node settings, applied in order to managers then workers (optional). */
  readonly nodes?: readonly NodeOptions[];
  /** Builds each node's executor (default: a `SimulatedExecutor`). */
  readonly executor?: (context: ExecutorContext) => Executor;
  /** Scheduling strategy: `spread` (default, Docker's), `binpack`, or a custom strategy. */
  readonly strategy?: SchedulingStrategyOption;
  /** Task history kept per slot (default 5, Docker's). */
  readonly taskHistoryRetentionLimit?: number;
  /** Agent heartbeat period (default 5 s). */
  readonly heartbeatPeriod?: Duration;
  /** How long a node stays down before its tasks are orphaned (default 24 h). */
  readonly nodeDownPeriod?: Duration;
  /** Raft tick interval (default 100 ms). */
  readonly tickInterval?: Duration;
  /** Default timeout of every wait (default 60 s; simulated clusters count virtual time). */
  readonly timeout?: Duration;
  /** How simulated containers behave, by default, per image, per service or per task. */
  readonly behaviours?: SimulatedBehaviours;
  /** Where components log (default: nowhere). */
  readonly logger?: Logger;
}

/** Settings of {@link Cluster.simulate}: a whole cluster under virtual time, from a seed. @public */
export interface SimulateOptions extends ClusterOptions {
  /** The seed every random choice derives from (default 1). The same seed replays the same run. */
  readonly seed?: number;
  /** Network latency in milliseconds (default: min 1, mean 2). */
  readonly latency?: { readonly min?: number; readonly mean?: number };
  /** Epoch milliseconds the virtual clock starts at (default 2026-01-01T00:00:00Z). */
  readonly startTime?: number;
}
