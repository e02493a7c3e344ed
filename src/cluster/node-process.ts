import type { Executor } from '../executor/index.js';
import type { Clock, Logger, Random } from '../runtime/index.js';
import type { TransportEndpoint } from '../transport/index.js';
import { createAgent, type Agent } from './wiring.js';

/** One node's agent and executor, on the node's endpoint. @internal */
export class NodeProcess {
  private agent: Agent | undefined;

  constructor(
    readonly nodeId: string,
    readonly hostname: string,
    readonly executor: Executor,
    private readonly settings: {
      readonly clock: Clock;
      readonly random: Random;
      readonly managers: () => readonly string[];
      readonly logger?: Logger;
    },
  ) {}

  /** True while the agent runs. */
  get running(): boolean {
    return this.agent !== undefined;
  }

  /** Starts the agent on `endpoint` (a restarted node gets a fresh agent that adopts its tasks). */
  start(endpoint: TransportEndpoint): void {
    if (this.agent !== undefined) return;
    this.agent = createAgent({
      nodeId: this.nodeId,
      executor: this.executor,
      clock: this.settings.clock,
      random: this.settings.random.fork(`agent-${this.settings.clock.now()}`),
      endpoint,
      managers: this.settings.managers,
      ...(this.settings.logger ? { logger: this.settings.logger } : {}),
    });
    this.agent.start();
  }

  /** Stops the agent; the executor's tasks keep running. */
  async stop(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.stop();
  }
}
