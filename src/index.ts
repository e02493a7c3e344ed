/**
 * Flotilla: Docker-Swarm-style orchestration embedded in Node.
 *
 * @packageDocumentation
 */

// Errors
export {
  FlotillaError,
  isFlotillaError,
  ValidationError,
  InvalidDurationError,
  InvalidConstraintError,
  NotFoundError,
  NameConflictError,
  AlreadyExistsError,
  VersionConflictError,
  TimeoutError,
  ClosedError,
  TransactionTooLargeError,
  InvalidStateError,
  WatchOverflowError,
  CorruptionError,
} from './errors/index.js';
export type { FlotillaErrorCode, FlotillaErrorOptions, ValidationIssue, ObjectKind } from './errors/index.js';

// Runtime kernel: time, chance, durations
export { SystemClock, VirtualClock, every, flushMicrotasks, Random, parseDuration, formatDuration } from './runtime/index.js';
export type { Clock, TimerHandle, VirtualClockOptions, AdvanceUntilOptions, Seed, Duration } from './runtime/index.js';

// Object model
export { TASK_STATES, taskStateOrder, compareTaskStates, isTerminal, canTransition, isTaskState, taskName } from './api/index.js';
export type {
  TaskState,
  Labels,
  GenericResource,
  Resources,
  ResourceRequirements,
  Mount,
  FileReference,
  HealthCheck,
  ContainerSpec,
  RestartCondition,
  RestartPolicy,
  Platform,
  Placement,
  NetworkAttachmentConfig,
  LogDriver,
  TaskSpec,
  ServiceMode,
  FailureAction,
  UpdateConfig,
  PortConfig,
  EndpointSpec,
  ServiceSpec,
  NodeRole,
  NodeAvailability,
  NodeMembership,
  NodeSpec,
  IpamConfig,
  NetworkSpec,
  SecretSpec,
  ConfigSpec,
  ClusterSpec,
  Meta,
  StoredObject,
  NodeDescription,
  NodeStatusState,
  NodeStatus,
  Reachability,
  ManagerStatus,
  Node,
  UpdateState,
  UpdateStatus,
  VirtualIp,
  Endpoint,
  Service,
  TaskStatus,
  NetworkAttachment,
  Task,
  Network,
  Secret,
  Config,
  ClusterObject,
} from './api/index.js';

// Transport: message passing between node addresses; in-memory network with fault injection
export { InMemoryNetwork, DEFAULT_FAULTS } from './transport/index.js';
export type {
  Transport,
  TransportEndpoint,
  MessageHandler,
  InMemoryNetworkOptions,
  AddressGroup,
  FaultOptions,
  LatencyOptions,
  EffectiveFaults,
  TrafficStats,
  DropCounts,
  DropReason,
  NetworkEvent,
  NetworkEventBase,
  NetworkTraceListener,
} from './transport/index.js';
