import type { Clock, Logger, Random } from '../runtime/index.js';
import type { Store } from '../store/index.js';
import { GlobalOrchestrator } from './global/global-orchestrator.js';
import { JobsOrchestrator } from './jobs/jobs-orchestrator.js';
import { TaskReaper } from './reaper/task-reaper.js';
import { ReplicatedOrchestrator } from './replicated/replicated-orchestrator.js';
import { RestartSupervisor } from './restart/restart-supervisor.js';
import { NOOP_UPDATER, type LeaderLoop, type Updater } from './updater.js';

/** Options of {@link Orchestrator}. @public */
export interface OrchestratorOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Source of task ids (each loop forks its own stream). */
  readonly random: Random;
  readonly logger?: Logger;
  /** The rolling-update supervisor (default: {@link NOOP_UPDATER}, no rolling updates). */
  readonly updater?: Updater;
  /** The constraint enforcer, run alongside (default: none). */
  readonly constraintEnforcer?: LeaderLoop;
  /** Tasks created or changed per transaction at most, per loop (default 1000). */
  readonly batchSize?: number;
  /** Longest wait for a replaced task to stop before its replacement starts (default 1 min). */
  readonly oldTaskTimeout?: number;
  /** Each loop's watch buffer bound (default 100,000 events). */
  readonly watchBufferSize?: number;
}

/**
 * Every orchestration loop a leader runs, started and stopped together: the
 * {@link RestartSupervisor}, the {@link ReplicatedOrchestrator}, the {@link GlobalOrchestrator},
 * the {@link JobsOrchestrator} and the {@link TaskReaper}, plus the injected updater and
 * constraint enforcer. Construct it when a manager becomes leader, `start()` it, and `stop()` it
 * when leadership is lost; a new leader's orchestrator picks up from the store alone (restart
 * history, delayed restarts and updates in progress included).
 *
 * @example
 * ```ts
 * const orchestrator = new Orchestrator({ store, clock, random: random.fork('orchestrator') });
 * orchestrator.start();
 * // ... later, on losing leadership:
 * await orchestrator.stop();
 * ```
 * @public
 */
export class Orchestrator {
  readonly restarts: RestartSupervisor;
  readonly replicated: ReplicatedOrchestrator;
  readonly global: GlobalOrchestrator;
  readonly jobs: JobsOrchestrator;
  readonly reaper: TaskReaper;
  private readonly updater: Updater;
  private readonly constraintEnforcer: LeaderLoop | undefined;
  private phase: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(options: OrchestratorOptions) {
    const { store, clock, logger, random } = options;
    const common = {
      store,
      clock,
      ...(logger !== undefined ? { logger } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.watchBufferSize !== undefined ? { watchBufferSize: options.watchBufferSize } : {}),
    };
    this.updater = options.updater ?? NOOP_UPDATER;
    this.constraintEnforcer = options.constraintEnforcer;
    this.restarts = new RestartSupervisor({
      ...common,
      random: random.fork('restarts'),
      ...(options.oldTaskTimeout !== undefined ? { oldTaskTimeout: options.oldTaskTimeout } : {}),
    });
    const loops = { ...common, restarts: this.restarts, updater: this.updater };
    this.replicated = new ReplicatedOrchestrator({ ...loops, random: random.fork('replicated') });
    this.global = new GlobalOrchestrator({ ...loops, random: random.fork('global') });
    this.jobs = new JobsOrchestrator({ ...common, restarts: this.restarts, random: random.fork('jobs') });
    this.reaper = new TaskReaper(common);
  }

  /** Starts every loop (the restart supervisor first, so it re-arms delayed starts before anyone restarts). Idempotent. */
  start(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'running';
    this.restarts.start();
    this.replicated.start();
    this.global.start();
    this.jobs.start();
    this.reaper.start();
    this.constraintEnforcer?.start();
  }

  /** Stops every loop, the updater and the constraint enforcer, cancelling all timers. Idempotent. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    await Promise.all([
      this.replicated.stop(),
      this.global.stop(),
      this.jobs.stop(),
      this.reaper.stop(),
      this.restarts.stop(),
      this.updater.stop(),
      this.constraintEnforcer?.stop(),
    ]);
  }
}
