// The one place the facade constructs the control-plane components, so their options meet here.
import { Agent } from '../agent/index.js';
import { Allocator } from '../allocator/index.js';
import { Dispatcher } from '../dispatcher/index.js';
import type { Executor } from '../executor/index.js';
import { SimulatedExecutor, type SimulatedBehaviours } from '../executor/simulated/index.js';
import { ConstraintEnforcer } from '../orchestrator/constraint-enforcer/index.js';
import { Orchestrator } from '../orchestrator/index.js';
import { UpdateSupervisor } from '../orchestrator/update/index.js';
import type { Clock, Logger, Random } from '../runtime/index.js';
import { Scheduler, type SchedulingStrategy } from '../scheduler/index.js';
import type { Store } from '../store/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import type { NodeOptions } from './options.js';

/** A scheduling strategy by name, or a custom one. @public */
export type SchedulingStrategyOption = 'spread' | 'binpack' | SchedulingStrategy;

/** What a manager runs only while it leads: the orchestrators, allocator and scheduler. @internal */
export interface LeaderLoops {
  stop(): Promise<void>;
}

/** Context shared by the component factories. @internal */
export interface WiringContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger?: Logger;
}

/** Starts the leader-only loops on `ctx.store`. @internal */
export function startLeaderLoops(ctx: WiringContext, strategy: SchedulingStrategyOption | undefined): LeaderLoops {
  const base = { store: ctx.store, clock: ctx.clock, ...(ctx.logger ? { logger: ctx.logger } : {}) };
  const updater = new UpdateSupervisor({ ...base, random: ctx.random.fork('updater') });
  const constraintEnforcer = new ConstraintEnforcer(base);
  const orchestrator = new Orchestrator({ ...base, random: ctx.random.fork('orchestrator'), updater, constraintEnforcer });
  const allocator = new Allocator(base);
  const scheduler = new Scheduler({ ...base, ...(strategy !== undefined ? { strategy } : {}) });
  orchestrator.start();
  allocator.start();
  scheduler.start();
  return {
    async stop() {
      await Promise.all([scheduler.stop(), allocator.stop(), orchestrator.stop()]);
    },
  };
}

/** Options of {@link createDispatcher}. @internal */
export interface DispatcherWiring extends WiringContext {
  readonly endpoint: TransportEndpoint;
  readonly leaderAddress: () => string | undefined;
  readonly heartbeatPeriod?: number;
  readonly nodeDownPeriod?: number;
}

/** Builds a manager's dispatcher (inactive until its manager leads). @internal */
export function createDispatcher(o: DispatcherWiring): Dispatcher {
  return new Dispatcher({
    store: o.store,
    clock: o.clock,
    random: o.random,
    endpoint: o.endpoint,
    leaderAddress: o.leaderAddress,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.heartbeatPeriod !== undefined ? { heartbeatPeriod: o.heartbeatPeriod } : {}),
    ...(o.nodeDownPeriod !== undefined ? { nodeDownPeriod: o.nodeDownPeriod } : {}),
  });
}

/** Options of {@link createAgent}. @internal */
export interface AgentWiring {
  readonly nodeId: string;
  readonly executor: Executor;
  readonly clock: Clock;
  readonly random: Random;
  readonly endpoint: TransportEndpoint;
  readonly managers: () => readonly string[];
  readonly logger?: Logger;
}

/** Builds a node's agent. @internal */
export function createAgent(o: AgentWiring): Agent {
  return new Agent({
    nodeId: o.nodeId,
    executor: o.executor,
    clock: o.clock,
    random: o.random,
    endpoint: o.endpoint,
    managers: o.managers,
    ...(o.logger ? { logger: o.logger } : {}),
  });
}

export type { Agent, Dispatcher };

/** Options of {@link createSimulatedExecutor}. @internal */
export interface SimulatedExecutorWiring {
  readonly hostname: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly node: NodeOptions;
  readonly behaviours?: SimulatedBehaviours;
}

/** The default executor of a node: a simulated one with the node's declared capacity. @internal */
export function createSimulatedExecutor(o: SimulatedExecutorWiring): Executor {
  const r = o.node.resources;
  return new SimulatedExecutor({
    clock: o.clock,
    random: o.random,
    hostname: o.hostname,
    resources: {
      nanoCpus: r?.nanoCpus ?? 4e9,
      memoryBytes: r?.memoryBytes ?? 8 * 2 ** 30,
      ...(r?.generic !== undefined ? { generic: r.generic } : {}),
    },
    platform: { os: o.node.platform?.os ?? 'linux', architecture: o.node.platform?.architecture ?? 'amd64' },
    ...(o.node.engineLabels !== undefined ? { engineLabels: o.node.engineLabels } : {}),
    ...(o.behaviours !== undefined ? { behaviours: o.behaviours } : {}),
  });
}
