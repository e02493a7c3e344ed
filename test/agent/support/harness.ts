import { Agent, type AgentOptions } from '../../../src/agent/index.js';
import type { TaskSpec, TaskState, TaskStatus } from '../../../src/api/index.js';
import { Dispatcher, type DispatcherOptions, type StatusRequest } from '../../../src/dispatcher/index.js';
import type { Executor } from '../../../src/executor/index.js';
import { Random, VirtualClock } from '../../../src/runtime/index.js';
import { Store, type NewObject } from '../../../src/store/index.js';
import { InMemoryNetwork, type TransportEndpoint } from '../../../src/transport/index.js';
import { node } from '../../store/fixtures.js';
import { FakeExecutor } from './fake-executor.js';

export interface HarnessOptions {
  readonly seed?: number;
  readonly heartbeatPeriod?: number;
  readonly dispatcher?: Partial<DispatcherOptions>;
}

/**
 * A store, an in-memory network, an active dispatcher on manager `m1` and agents, all on one
 * virtual clock. Tasks are written directly as `assigned`, as the scheduler would.
 */
export class Harness {
  readonly clock = new VirtualClock({ start: 1_000_000 });
  readonly random: Random;
  readonly store: Store;
  readonly network: InMemoryNetwork;
  readonly managerEndpoint: TransportEndpoint;
  readonly dispatcher: Dispatcher;
  readonly agents: Agent[] = [];
  /** Every status update agents sent, in order, per task. */
  readonly reported = new Map<string, TaskStatus[]>();
  private endpoints = new Map<string, TransportEndpoint>();
  /** The address the harness's dispatcher names as leader when it is inactive. */
  leader = 'm1';

  constructor(options: HarnessOptions = {}) {
    this.random = Random.fromSeed(options.seed ?? 1);
    this.store = new Store({ clock: this.clock });
    this.network = new InMemoryNetwork({ clock: this.clock, random: this.random.fork('net'), latency: { min: 1, mean: 2 } });
    this.managerEndpoint = this.network.endpoint('m1');
    this.dispatcher = new Dispatcher({
      store: this.store,
      clock: this.clock,
      random: this.random.fork('dispatcher'),
      endpoint: this.managerEndpoint,
      leaderAddress: () => this.leader,
      heartbeatPeriod: options.heartbeatPeriod ?? 1000,
      ...options.dispatcher,
    });
    this.dispatcher.activate();
    this.network.onTrace((ev) => {
      if (ev.kind !== 'deliver') return;
      const m = ev.message as { type?: string; method?: string; body?: StatusRequest };
      if (m.type !== 'request' || m.method !== 'dispatcher.status' || ev.duplicate) return;
      for (const u of m.body?.updates ?? []) {
        const list = this.reported.get(u.taskId) ?? [];
        if (list.at(-1)?.state !== u.status.state) list.push(u.status);
        this.reported.set(u.taskId, list);
      }
    });
  }

  /** The states agents reported for a task (duplicates of consecutive resends collapsed). */
  states(taskId: string): TaskState[] {
    return (this.reported.get(taskId) ?? []).map((s) => s.state);
  }

  async addNode(id: string): Promise<void> {
    await this.store.update((tx) => tx.nodes.create({ ...node(id, id), status: { state: 'unknown' } }));
  }

  /** Starts an agent for `nodeId` on its own endpoint (reused across restarts). */
  startAgent(nodeId: string, executor: Executor, options: Partial<AgentOptions> = {}): Agent {
    let endpoint = this.endpoints.get(nodeId);
    if (endpoint === undefined) {
      endpoint = this.network.endpoint(nodeId);
      this.endpoints.set(nodeId, endpoint);
    }
    const agent = new Agent({
      nodeId,
      executor,
      clock: this.clock,
      random: this.random.fork(`agent-${nodeId}-${this.agents.length}`),
      endpoint,
      managers: () => ['m1'],
      ...options,
    });
    this.agents.push(agent);
    agent.start();
    return agent;
  }

  /** A node with a fake executor and a started agent. */
  async node(id = 'n1'): Promise<{ executor: FakeExecutor; agent: Agent }> {
    await this.addNode(id);
    const executor = new FakeExecutor(this.clock, id);
    const agent = this.startAgent(id, executor);
    await this.until(() => this.store.view((tx) => tx.nodes.get(id)?.status.state) === 'ready', 10_000);
    return { executor, agent };
  }

  async assign(id: string, nodeId: string, spec: Partial<TaskSpec> = {}, desiredState: TaskState = 'running'): Promise<void> {
    const task: NewObject<'task'> = {
      id,
      serviceId: 'svc',
      serviceName: 'web',
      slot: 1,
      nodeId,
      spec: { container: { image: 'nginx:1.27' }, ...spec },
      specVersion: 1,
      status: { state: 'assigned', timestamp: this.clock.now(), message: 'scheduler assigned task to node' },
      desiredState,
    };
    await this.store.update((tx) => tx.tasks.create(task));
  }

  state(taskId: string): TaskState | undefined {
    return this.store.view((tx) => tx.tasks.get(taskId)?.status.state);
  }

  status(taskId: string): TaskStatus | undefined {
    return this.store.view((tx) => tx.tasks.get(taskId)?.status);
  }

  /** Advances virtual time until `predicate` holds; fails the test after `timeout` ms. */
  async until(predicate: () => boolean, timeout = 30_000): Promise<void> {
    const ok = await this.clock.advanceUntilAsync(predicate, { timeout });
    if (!ok) throw new Error(`condition not reached within ${timeout} ms of virtual time`);
  }

  async stop(): Promise<void> {
    for (const a of this.agents) await a.stop();
    await this.dispatcher.stop();
  }
}
