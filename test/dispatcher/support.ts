import type { NodeDescription, TaskState, TaskStatus } from '../../src/api/index.js';
import { Dispatcher, type DispatcherOptions } from '../../src/dispatcher/index.js';
import {
  ASSIGNMENTS_TOPIC,
  DISPATCHER_METHODS,
  type AssignmentIncrement,
  type AssignmentSet,
  type HeartbeatResponse,
  type OpenSessionResponse,
  type StatusResponse,
} from '../../src/dispatcher/index.js';
import { decodeDispatcherError } from '../../src/dispatcher/errors.js';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import { RpcClient } from '../../src/rpc/index.js';
import { Store, type NewObject, type StoreOptions } from '../../src/store/index.js';
import { InMemoryNetwork } from '../../src/transport/index.js';
import { node, task } from '../store/fixtures.js';

export const DESCRIPTION: NodeDescription = {
  hostname: 'w1',
  platform: { os: 'linux', architecture: 'x86_64' },
  resources: { nanoCpus: 2e9, memoryBytes: 2 ** 30 },
  engine: { version: 'sim-1' },
};

/** A store, network and dispatcher on one virtual clock (starting at 1,000,000). */
export function setup(options: Partial<DispatcherOptions> = {}, seed = 1, storeOptions: Partial<StoreOptions> = {}) {
  const clock = new VirtualClock({ start: 1_000_000 });
  const random = Random.fromSeed(seed);
  const store = new Store({ clock, ...storeOptions });
  const network = new InMemoryNetwork({ clock, random: random.fork('net'), latency: { min: 1, mean: 2 } });
  const endpoint = network.endpoint('m1');
  const dispatcher = new Dispatcher({ store, clock, random: random.fork('dispatcher'), endpoint, leaderAddress: () => 'm1', ...options });
  return { clock, random, store, network, endpoint, dispatcher };
}

/** A node as the Cluster facade creates it before its agent starts. */
export function freshNode(id: string): NewObject<'node'> {
  const n = node(id, id);
  return { ...n, status: { state: 'unknown' } };
}

export function assignedTask(id: string, nodeId: string, state: TaskState = 'assigned', desired: TaskState = 'running'): NewObject<'task'> {
  return task(id, 'svc', nodeId, 1, state, desired);
}

export function status(state: TaskState, at = 0, extra: Partial<TaskStatus> = {}): TaskStatus {
  return { state, timestamp: at, message: state, ...extra };
}

/** A scripted agent: talks the dispatcher protocol by hand, without the Agent class. */
export class StubAgent {
  readonly client: RpcClient;
  sessionId = '';
  readonly increments: AssignmentIncrement[] = [];

  constructor(
    readonly nodeId: string,
    network: InMemoryNetwork,
    private readonly clock: VirtualClock,
    readonly address = nodeId,
    readonly manager = 'm1',
  ) {
    const endpoint = network.endpoint(address);
    this.client = new RpcClient({ endpoint, clock, random: Random.fromSeed(`stub-${nodeId}`), decodeError: decodeDispatcherError });
    this.client.onPush(ASSIGNMENTS_TOPIC, (body) => this.increments.push(body as AssignmentIncrement));
  }

  async open(description: NodeDescription = DESCRIPTION): Promise<OpenSessionResponse> {
    const r = await this.clock.settle(this.client.call<OpenSessionResponse>(this.manager, DISPATCHER_METHODS.open, { nodeId: this.nodeId, description }));
    this.sessionId = r.sessionId;
    return r;
  }

  heartbeat(): Promise<HeartbeatResponse> {
    return this.clock.settle(this.client.call<HeartbeatResponse>(this.manager, DISPATCHER_METHODS.heartbeat, this.req()));
  }

  assignments(): Promise<AssignmentSet> {
    return this.clock.settle(this.client.call<AssignmentSet>(this.manager, DISPATCHER_METHODS.assignments, this.req()));
  }

  report(updates: { taskId: string; status: TaskStatus }[]): Promise<StatusResponse> {
    return this.clock.settle(this.client.call<StatusResponse>(this.manager, DISPATCHER_METHODS.status, { ...this.req(), updates }));
  }

  close(): Promise<unknown> {
    return this.clock.settle(this.client.call(this.manager, DISPATCHER_METHODS.close, this.req()));
  }

  private req(): { sessionId: string; nodeId: string } {
    return { sessionId: this.sessionId, nodeId: this.nodeId };
  }
}

/** Keeps `agent` heartbeating every `period` ms (without awaiting) until the returned function is called. */
export function keepAlive(agent: StubAgent, clock: VirtualClock, period: number): () => void {
  let stopped = false;
  const beat = (): void => {
    if (stopped) return;
    agent.client.call(agent.manager, DISPATCHER_METHODS.heartbeat, { sessionId: agent.sessionId, nodeId: agent.nodeId }).catch(() => undefined);
    clock.setTimeout(beat, period);
  };
  clock.setTimeout(beat, period);
  return () => {
    stopped = true;
  };
}
