export type { TaskState } from './task-state.js';
export { TASK_STATES, taskStateOrder, compareTaskStates, isTerminal, canTransition, isTaskState } from './task-state.js';
export type {
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
} from './specs.js';
export type {
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
} from './objects.js';
export { taskName } from './objects.js';

// Spec validation and Docker's defaults
export type { ValidationResult } from './validate-common.js';
export { validateServiceSpec, safeValidateServiceSpec } from './validate-service.js';
export { validateServiceSpecUpdate, safeValidateServiceSpecUpdate } from './validate-service-update.js';
export { validateNetworkSpec, safeValidateNetworkSpec, PREDEFINED_NETWORK_LABEL } from './validate-network.js';
export {
  validateSecretSpec,
  safeValidateSecretSpec,
  validateConfigSpec,
  safeValidateConfigSpec,
  MAX_SECRET_SIZE,
  MAX_CONFIG_SIZE,
} from './validate-secret.js';
export { validateNodeSpecUpdate, safeValidateNodeSpecUpdate } from './validate-node.js';
export type { NodeSpecUpdate } from './validate-node.js';
export { validateClusterSpec, safeValidateClusterSpec } from './validate-cluster.js';
export { serviceModeKind, isJob } from './service-mode.js';
export type { ServiceModeKind } from './service-mode.js';
export {
  DEFAULT_REPLICAS,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_STOP_GRACE_PERIOD_MS,
  DEFAULT_FILE_MODE,
  DEFAULT_RESTART_POLICY,
  DEFAULT_JOB_RESTART_POLICY,
  DEFAULT_UPDATE_CONFIG,
  DEFAULT_NETWORK_DRIVER,
  DEFAULT_IPAM_DRIVER,
  DEFAULT_CLUSTER_NAME,
  DEFAULT_CLUSTER_SETTINGS,
  MIN_NODE_CERT_EXPIRY_MS,
} from './defaults.js';
export type { RestartPolicyDefaults, UpdateConfigDefaults } from './defaults.js';
export { MIN_NANO_CPUS, MIN_MEMORY_BYTES } from './validate-resources.js';
export { isValidServiceName, isValidSecretName, MAX_OBJECT_NAME_LENGTH, MAX_SECRET_NAME_LENGTH } from './names.js';
export { imageReferenceProblem, MAX_IMAGE_NAME_LENGTH } from './image-reference.js';
export { deepFreeze } from './deep-freeze.js';

// Placement constraints
export {
  parseConstraint,
  parseConstraints,
  constraintMatches,
  matchesConstraints,
  nodeFacts,
  normaliseArch,
  CONSTRAINT_KEYS,
  NODE_LABEL_PREFIX,
  ENGINE_LABEL_PREFIX,
} from './constraints.js';
export type { Constraint, ConstraintOperator, NodeFacts } from './constraints.js';

// IP addresses and subnets (shared with the allocator)
export { parseIp, parseCidr, cidrContains, cidrsOverlap, formatIp, formatCidrNetwork } from './ip.js';
export type { IpAddress, Cidr } from './ip.js';
