import type { Random } from '../../runtime/index.js';
import type { ObjectEvent, ReadTx } from '../../store/index.js';
import type { RestartSupervisor } from '../restart/restart-supervisor.js';
import { IdMemo } from './id-memo.js';
import { LoopDriver, type LoopOptions } from './store-loop.js';

/** What every service orchestrator (replicated, global, jobs) is built from. @public */
export interface ServiceLoopOptions {
  readonly store: LoopOptions['store'];
  readonly clock: LoopOptions['clock'];
  /** Source of task ids. */
  readonly random: Random;
  readonly logger?: LoopOptions['logger'];
  /** Restarts tasks that ended, per the service's restart policy. */
  readonly restarts: RestartSupervisor;
  /** Tasks created or changed per transaction at most (default 1000). */
  readonly batchSize?: number;
  /** Watch buffer bound (default 100,000 events). */
  readonly watchBufferSize?: number;
}

/**
 * The frame the service orchestrators share: a {@link LoopDriver} watching services, tasks and
 * nodes, the restart supervisor and memoised task ids. A subclass reads the store in `load`,
 * notes what changed in `onEvent` and writes in `work` (true when it has more to do).
 *
 * @internal
 */
export abstract class ServiceLoop {
  protected readonly loop: LoopDriver;
  protected readonly restarts: RestartSupervisor;
  protected readonly ids: IdMemo;

  protected constructor(name: string, options: ServiceLoopOptions) {
    this.loop = new LoopDriver(options, {
      name,
      kinds: ['service', 'task', 'node'],
      load: (tx) => this.load(tx),
      onEvent: (e) => this.onEvent(e),
      work: () => this.work(),
    });
    this.restarts = options.restarts;
    this.ids = new IdMemo(options.random);
  }

  /** Starts the loop (reading what the store already holds first). Idempotent. */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and cancels its timers. Idempotent. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Forgets everything and reads the store's state (at start, and after a watch ends). */
  protected abstract load(tx: ReadTx): void;
  /** Notes a change the loop watches. */
  protected abstract onEvent(event: ObjectEvent): void;
  /** Writes the next batch of work; true when more is left. */
  protected abstract work(): Promise<boolean>;
}
