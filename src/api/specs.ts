import type { Duration } from '../runtime/index.js';

/** Key/value labels on an object. @public */
export type Labels = Readonly<Record<string, string>>;

/** A named or discrete generic resource (e.g. GPUs), as Docker's `--generic-resource`. @public */
export type GenericResource =
  | { readonly kind: string; readonly namedValue: string }
  | { readonly kind: string; readonly discreteValue: number };

/** An amount of CPU, memory and generic resources. @public */
export interface Resources {
  /** CPU in units of 10^-9 CPUs (1e9 = one CPU). */
  readonly nanoCpus?: number;
  /** Memory in bytes. */
  readonly memoryBytes?: number;
  /** Generic resources (reservations only). */
  readonly generic?: readonly GenericResource[];
  /** Maximum number of processes (limits only). */
  readonly pids?: number;
}

/** Resource limits and reservations of a task. @public */
export interface ResourceRequirements {
  /** Hard caps enforced by the executor. */
  readonly limits?: Resources;
  /** What the scheduler sets aside on a node for the task. */
  readonly reservations?: Resources;
}

/** A mount in a container. @public */
export interface Mount {
  readonly type: 'bind' | 'volume' | 'tmpfs' | 'npipe';
  /** Host path (bind), volume name (volume); unset for tmpfs. */
  readonly source?: string;
  /** Absolute path inside the container. */
  readonly target: string;
  readonly readOnly?: boolean;
  /** Tmpfs size in bytes (tmpfs only). */
  readonly tmpfsSizeBytes?: number;
  /** Volume driver and labels (volume only). */
  readonly volumeOptions?: { readonly driver?: string; readonly labels?: Labels; readonly noCopy?: boolean };
  /** Bind propagation (bind only). */
  readonly bindOptions?: { readonly propagation?: 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave' };
}

/** A secret or config made available to a container as a file. @public */
export interface FileReference {
  /** Name of the secret or config object. */
  readonly name: string;
  /** Id of the secret or config; filled in when the service is created. */
  readonly id?: string;
  /** Target file: name (relative to /run/secrets or the root), uid, gid, mode. */
  readonly file?: { readonly name?: string; readonly uid?: string; readonly gid?: string; readonly mode?: number };
}

/** A container health check, as Docker's HEALTHCHECK. @public */
export interface HealthCheck {
  /** `['NONE']`, `['CMD', ...args]` or `['CMD-SHELL', command]`. */
  readonly test?: readonly string[];
  readonly interval?: Duration;
  readonly timeout?: Duration;
  readonly retries?: number;
  readonly startPeriod?: Duration;
  readonly startInterval?: Duration;
}

/** The container a task runs. @public */
export interface ContainerSpec {
  readonly image: string;
  readonly labels?: Labels;
  /** Replaces the image's entrypoint. */
  readonly command?: readonly string[];
  /** Arguments to the command. */
  readonly args?: readonly string[];
  readonly hostname?: string;
  /** `KEY=value` entries. */
  readonly env?: readonly string[];
  /** Working directory. */
  readonly dir?: string;
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly tty?: boolean;
  readonly openStdin?: boolean;
  readonly readOnly?: boolean;
  readonly mounts?: readonly Mount[];
  readonly secrets?: readonly FileReference[];
  readonly configs?: readonly FileReference[];
  readonly healthcheck?: HealthCheck;
  /** Signal sent to stop the container (default SIGTERM). */
  readonly stopSignal?: string;
  /** Time to wait after the stop signal before killing (default 10s). */
  readonly stopGracePeriod?: Duration;
  /** Run an init process inside the container. */
  readonly init?: boolean;
  readonly capabilityAdd?: readonly string[];
  readonly capabilityDrop?: readonly string[];
  /** Extra `/etc/hosts` entries, `IP hostname…`. */
  readonly hosts?: readonly string[];
  readonly dnsConfig?: { readonly nameservers?: readonly string[]; readonly search?: readonly string[]; readonly options?: readonly string[] };
  readonly sysctls?: Readonly<Record<string, string>>;
  readonly ulimits?: readonly { readonly name: string; readonly soft: number; readonly hard: number }[];
}

/** Docker's restart conditions. @public */
export type RestartCondition = 'none' | 'on-failure' | 'any';

/** When and how often a task is replaced after it ends. @public */
export interface RestartPolicy {
  /** Default `any`. */
  readonly condition?: RestartCondition;
  /** Wait between restart attempts (default 5s). */
  readonly delay?: Duration;
  /** Attempts before giving up; 0 means unlimited (default). */
  readonly maxAttempts?: number;
  /** Window in which attempts are counted; 0 means unbounded (default). */
  readonly window?: Duration;
  /**
   * Flotilla extension: grow the delay exponentially with each consecutive attempt, up to
   * `maxDelay`. Off by default (Docker has no backoff).
   */
  readonly backoff?: { readonly factor?: number; readonly maxDelay?: Duration };
}

/** A platform a task can run on. @public */
export interface Platform {
  readonly os?: string;
  readonly architecture?: string;
}

/** Where a task may be placed. @public */
export interface Placement {
  /** All must hold, e.g. `node.labels.zone==a`, `node.role!=manager`. */
  readonly constraints?: readonly string[];
  /** Spread over the values of a label, in priority order, e.g. `{ spread: 'node.labels.zone' }`. */
  readonly preferences?: readonly { readonly spread: string }[];
  /** At most this many tasks of the service on one node (0 = unlimited). */
  readonly maxReplicas?: number;
  /** Any of these platforms. */
  readonly platforms?: readonly Platform[];
}

/** A network a task attaches to. @public */
export interface NetworkAttachmentConfig {
  /** Network name or id. */
  readonly target: string;
  readonly aliases?: readonly string[];
  readonly driverOpts?: Readonly<Record<string, string>>;
}

/** Log driver and options. @public */
export interface LogDriver {
  readonly name: string;
  readonly options?: Readonly<Record<string, string>>;
}

/** What each task of a service runs and under which rules. @public */
export interface TaskSpec {
  readonly container: ContainerSpec;
  readonly resources?: ResourceRequirements;
  readonly restartPolicy?: RestartPolicy;
  readonly placement?: Placement;
  readonly networks?: readonly NetworkAttachmentConfig[];
  readonly logDriver?: LogDriver;
  /** Bump to force a rolling update without any other change. */
  readonly forceUpdate?: number;
}

/** How a service is run. Exactly one member is set. @public */
export type ServiceMode =
  | { readonly replicated: { readonly replicas?: number } }
  | { readonly global: Record<string, never> }
  | { readonly replicatedJob: { readonly maxConcurrent?: number; readonly totalCompletions?: number } }
  | { readonly globalJob: Record<string, never> };

/** What to do when an updated task fails. @public */
export type FailureAction = 'pause' | 'continue' | 'rollback';

/** Rolling update (or rollback) behaviour. @public */
export interface UpdateConfig {
  /** Tasks updated at once; 0 = all (default 1). */
  readonly parallelism?: number;
  /** Wait between batches (default 0). */
  readonly delay?: Duration;
  /** Default `pause`. */
  readonly failureAction?: FailureAction;
  /** How long a new task is watched for failure (default 5s). */
  readonly monitor?: Duration;
  /** Tolerated failure ratio, 0..1 (default 0). */
  readonly maxFailureRatio?: number;
  /** Default `stop-first`. */
  readonly order?: 'stop-first' | 'start-first';
}

/** A published port. @public */
export interface PortConfig {
  readonly name?: string;
  /** Default `tcp`. */
  readonly protocol?: 'tcp' | 'udp' | 'sctp';
  readonly targetPort: number;
  /** 0 or unset: picked from 30000-32767 for ingress; required for host mode to bind a fixed port. */
  readonly publishedPort?: number;
  /** Default `ingress`. */
  readonly publishMode?: 'ingress' | 'host';
}

/** How a service is reached. @public */
export interface EndpointSpec {
  /** Default `vip`. */
  readonly mode?: 'vip' | 'dnsrr';
  readonly ports?: readonly PortConfig[];
}

/** What a user declares for a service. @public */
export interface ServiceSpec {
  readonly name: string;
  readonly labels?: Labels;
  /** Default `{ replicated: { replicas: 1 } }`. */
  readonly mode?: ServiceMode;
  readonly task: TaskSpec;
  readonly update?: UpdateConfig;
  readonly rollback?: UpdateConfig;
  readonly endpoint?: EndpointSpec;
  /** Network names or ids (shorthand for `task.networks`). */
  readonly networks?: readonly string[];
}

/** Node roles. @public */
export type NodeRole = 'manager' | 'worker';
/** Node availability for tasks. @public */
export type NodeAvailability = 'active' | 'pause' | 'drain';
/** Node membership. @public */
export type NodeMembership = 'pending' | 'accepted';

/** What an operator sets on a node. @public */
export interface NodeSpec {
  readonly name?: string;
  readonly labels?: Labels;
  readonly role: NodeRole;
  readonly membership: NodeMembership;
  readonly availability: NodeAvailability;
}

/** A network's IPAM configuration. @public */
export interface IpamConfig {
  readonly subnet?: string;
  readonly range?: string;
  readonly gateway?: string;
  readonly auxAddresses?: Readonly<Record<string, string>>;
}

/** What a user declares for a network. @public */
export interface NetworkSpec {
  readonly name: string;
  readonly labels?: Labels;
  /** Default `overlay`. */
  readonly driver?: string;
  readonly driverOpts?: Readonly<Record<string, string>>;
  readonly ipv6?: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly ingress?: boolean;
  readonly ipam?: { readonly driver?: string; readonly configs?: readonly IpamConfig[] };
}

/** What a user declares for a secret. @public */
export interface SecretSpec {
  readonly name: string;
  readonly labels?: Labels;
  /** The secret's bytes (under 500 KB). */
  readonly data: Uint8Array;
  readonly driver?: string;
}

/** What a user declares for a config. @public */
export interface ConfigSpec {
  readonly name: string;
  readonly labels?: Labels;
  /** The config's bytes (under 1000 KB). */
  readonly data: Uint8Array;
}

/** Cluster-wide settings (the `default` cluster object), as `docker swarm update` sets them. @public */
export interface ClusterSpec {
  readonly name: string;
  readonly labels?: Labels;
  readonly orchestration?: { readonly taskHistoryRetentionLimit?: number };
  readonly raft?: {
    readonly snapshotInterval?: number;
    readonly keepOldSnapshots?: number;
    readonly logEntriesForSlowFollowers?: number;
    readonly heartbeatTick?: number;
    readonly electionTick?: number;
  };
  readonly dispatcher?: {
    readonly heartbeatPeriod?: Duration;
    /** Flotilla extension: how long a node stays down before its tasks are orphaned (default 24h). */
    readonly nodeDownPeriod?: Duration;
  };
  readonly caConfig?: { readonly nodeCertExpiry?: Duration };
  readonly taskDefaults?: { readonly logDriver?: LogDriver };
}
