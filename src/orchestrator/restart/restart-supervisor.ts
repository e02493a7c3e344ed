import { isJob, serviceModeKind } from '../../api/index.js';
import type { Node, Service, ServiceModeKind, Task } from '../../api/index.js';
import type { Random } from '../../runtime/index.js';
import type { ObjectEvent, ReadTx, WriteTx } from '../../store/index.js';
import { newTask } from '../common/index.js';
import { DueTimers } from '../support/due-timers.js';
import { LoopDriver, takeSome, type LoopOptions } from '../support/store-loop.js';
import { byNewest, hasEnded, isAlive, isPerNode, isRunnable, jobIteration, slotTasks } from '../support/tasks.js';
import { resolveRestartPolicy, restartDelay, shouldRestart } from './policy.js';

/** How long a replacement waits at most for the task it replaces to stop (1 minute, as SwarmKit). @public */
export const DEFAULT_OLD_TASK_TIMEOUT_MS = 60_000;

/** Options of {@link RestartSupervisor}. @public */
export interface RestartSupervisorOptions {
  readonly store: LoopOptions['store'];
  readonly clock: LoopOptions['clock'];
  /** Source of task ids. */
  readonly random: Random;
  readonly logger?: LoopOptions['logger'];
  /** Longest wait for a replaced task to stop before its replacement starts anyway (default 1 min). */
  readonly oldTaskTimeout?: number;
  /** Tasks started per transaction at most (default 1000). */
  readonly batchSize?: number;
  /** Watch buffer bound (default 100,000 events). */
  readonly watchBufferSize?: number;
}

/**
 * What {@link RestartSupervisor.restart} did: `replaced` (the task is shut down and a replacement
 * created), `stopped` (shut down; the policy allows no replacement), `deferred` (the task is a
 * replacement still inside its restart delay: it is restarted once the delay is over) or
 * `skipped` (already shut down or gone).
 *
 * @public
 */
export type RestartOutcome = 'replaced' | 'stopped' | 'deferred' | 'skipped';

/** What a restart needs, read before anything is written. */
interface Decision {
  readonly service: Service;
  readonly task: Task;
  readonly kind: ServiceModeKind;
  readonly node: Node | undefined;
  readonly slot: readonly Task[];
}

interface PendingStart {
  readonly taskId: string;
  /** When the restart delay is over. */
  readonly readyAt: number;
  /** When to stop waiting for the replaced task. */
  readonly deadline: number;
  readonly waitFor: string | undefined;
  readonly waitNode: string | undefined;
  oldStopped: boolean;
  restartOnDue: boolean;
}

/**
 * Replaces tasks that ended, or whose node failed, under their restart policy (SwarmKit's restart
 * supervisor), and starts replacements when their time comes. Orchestrators call
 * {@link RestartSupervisor.restart} inside their own transactions; the supervisor's loop (started
 * with `start()`, leader only) moves each replacement from desired `ready` to `running` (`complete`
 * for jobs) once its delay is over and the task it replaces has stopped, or its node is down or
 * gone, or `oldTaskTimeout` passed.
 *
 * Restart history is the slot's task history in the store (see `countRestarts` and
 * `failureStreak`), not memory, so a new leader counts attempts and backoff exactly where the
 * old one left off; on start the supervisor also re-arms every replacement left waiting in
 * `ready`, measuring its delay from the replacement's creation.
 *
 * @public
 */
export class RestartSupervisor {
  private readonly loop: LoopDriver;
  private readonly random: Random;
  private readonly oldTaskTimeout: number;
  private readonly pending = new Map<string, PendingStart>();
  private readonly waitingOnTask = new Map<string, Set<string>>();
  private readonly waitingOnNode = new Map<string, Set<string>>();
  private readonly startQueue = new Set<string>();
  private readonly restartQueue = new Set<string>();
  private readonly timers: DueTimers;

  constructor(options: RestartSupervisorOptions) {
    this.loop = new LoopDriver(options, {
      name: 'restart supervisor',
      kinds: ['task', 'node'],
      load: (tx) => this.load(tx),
      onEvent: (e) => this.onEvent(e),
      work: () => this.work(),
      onStop: () => this.onStop(),
    });
    this.random = options.random;
    this.oldTaskTimeout = options.oldTaskTimeout ?? DEFAULT_OLD_TASK_TIMEOUT_MS;
    this.timers = new DueTimers(this.loop.clock, (ids) => {
      for (const id of ids) {
        const p = this.pending.get(id);
        if (p !== undefined) this.evaluate(p);
      }
    });
  }

  /** Starts the loop (reading what the store already holds first). Idempotent. */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and cancels its timers. Idempotent. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Replacements waiting for their delay or for the task they replace. */
  get pendingStarts(): number {
    return this.pending.size;
  }

  /**
   * Inside the caller's write transaction: shuts `task` down (desired `shutdown`) and, when its
   * restart policy allows, creates a replacement in the same slot (on the same node for global
   * modes) from the service's current spec. A task that ended is judged by its policy; a task
   * still alive on a drained, down or removed node is always replaced (it did not fail).
   *
   * The replacement starts at once (desired `running`, `complete` for jobs) when there is neither
   * a delay nor a running task to wait for; otherwise it is created with desired `ready` and the
   * supervisor starts it later. The delay is the policy's (with backoff for repeated failures),
   * and none at all when the old node is drained.
   */
  restart(tx: WriteTx, service: Service, task: Task): RestartOutcome {
    return this.restartAll(tx, [{ service, task }])[0] as RestartOutcome;
  }

  /**
   * {@link RestartSupervisor.restart} for many tasks in one transaction. It reads everything it
   * needs (the slots' histories) before it writes anything, so call it before making other
   * changes in the same transaction: reads after staged writes cost more.
   */
  restartAll(tx: WriteTx, items: readonly { readonly service: Service; readonly task: Task }[]): RestartOutcome[] {
    const now = this.loop.clock.now();
    const outcomes: RestartOutcome[] = [];
    const decisions: (Decision | undefined)[] = [];
    for (const { service, task } of items) {
      const current = tx.tasks.get(task.id);
      if (current === undefined || !isAlive(current)) {
        decisions.push(undefined);
        outcomes.push('skipped');
        continue;
      }
      const waiting = this.pending.get(current.id);
      if (waiting !== undefined) {
        waiting.restartOnDue = true;
        this.evaluate(waiting);
        decisions.push(undefined);
        outcomes.push('deferred');
        continue;
      }
      const kind = serviceModeKind(service.spec);
      const node = current.nodeId !== '' ? tx.nodes.get(current.nodeId) : undefined;
      decisions.push({ service, task: current, kind, node, slot: slotTasks(tx, current, kind) });
      outcomes.push('replaced');
    }
    decisions.forEach((d, i) => {
      if (d !== undefined) outcomes[i] = this.apply(tx, d, now);
    });
    return outcomes;
  }

  private apply(tx: WriteTx, d: Decision, now: number): RestartOutcome {
    const { service, task: current, kind, node, slot } = d;
    const job = isJob(service.spec);
    const ended = hasEnded(current);
    if (tx.tasks.get(current.id)?.desiredState !== current.desiredState) return 'skipped'; // twice in one batch
    tx.tasks.update(current.id, (t) => {
      t.desiredState = 'shutdown';
    });
    const policy = resolveRestartPolicy(current.spec, job);
    if (ended && !shouldRestart(current, slot, policy, now)) return 'stopped';
    const delay = node?.spec.availability === 'drain' ? 0 : ended ? restartDelay(current, slot, policy) : policy.delay;
    const waitStop = !ended && node !== undefined && node.status.state !== 'down';
    const immediate = delay === 0 && !waitStop;
    const replacement = tx.tasks.create(
      newTask(service, {
        id: this.random.id(),
        now,
        slot: current.slot,
        ...(isPerNode(kind) ? { nodeId: current.nodeId } : {}),
        desiredState: immediate ? (job ? 'complete' : 'running') : 'ready',
        ...(job ? { jobIteration: jobIteration(service) } : {}),
      }),
    );
    if (!immediate) {
      this.arm({
        taskId: replacement.id,
        readyAt: now + delay,
        deadline: now + this.oldTaskTimeout,
        waitFor: waitStop ? current.id : undefined,
        waitNode: waitStop ? current.nodeId : undefined,
        oldStopped: false,
        restartOnDue: false,
      });
    }
    this.loop.logger?.debug?.('restarting task', { task: current.id, replacement: replacement.id, delay, waitStop });
    return 'replaced';
  }

  /** Forgets the pending start of `taskId`, if any (the task stays in desired `ready`). */
  cancel(taskId: string): void {
    this.drop(taskId);
  }

  private onStop(): void {
    this.timers.clear();
  }

  private load(tx: ReadTx): void {
    this.timers.clear();
    this.pending.clear();
    this.waitingOnTask.clear();
    this.waitingOnNode.clear();
    this.startQueue.clear();
    this.restartQueue.clear();
    for (const t of tx.tasks.find({ desiredState: 'ready' })) this.rearm(tx, t);
  }

  /** A replacement left in `ready` by a previous leader: wait out what remains of its delay. */
  private rearm(tx: ReadTx, t: Task): void {
    const service = tx.services.get(t.serviceId);
    if (service === undefined) return;
    const kind = serviceModeKind(service.spec);
    const slot = slotTasks(tx, t, kind);
    const predecessor = slot.filter((o) => o.id !== t.id && !isRunnable(o) && o.meta.createdAt <= t.meta.createdAt).sort(byNewest)[0];
    const policy = resolveRestartPolicy((predecessor ?? t).spec, isJob(service.spec));
    const node = predecessor !== undefined && predecessor.nodeId !== '' ? tx.nodes.get(predecessor.nodeId) : undefined;
    const drained = node?.spec.availability === 'drain';
    const delay = drained ? 0 : predecessor !== undefined && hasEnded(predecessor) ? restartDelay(predecessor, slot, policy) : policy.delay;
    const wait = predecessor !== undefined && !hasEnded(predecessor) && node !== undefined && node.status.state !== 'down';
    this.arm({
      taskId: t.id,
      readyAt: t.meta.createdAt + delay,
      deadline: t.meta.createdAt + this.oldTaskTimeout,
      waitFor: wait ? predecessor?.id : undefined,
      waitNode: wait ? predecessor?.nodeId : undefined,
      oldStopped: false,
      restartOnDue: hasEnded(t),
    });
  }

  private onEvent(event: ObjectEvent): void {
    if (event.kind === 'node') {
      if (event.type === 'delete' || (event.type === 'update' && event.object.status.state === 'down')) this.oldGone(this.waitingOnNode.get(event.object.id));
      return;
    }
    if (event.kind !== 'task') return;
    const task = event.object;
    if (this.pending.has(task.id) && (event.type === 'delete' || task.desiredState !== 'ready')) this.drop(task.id);
    const waiters = this.waitingOnTask.get(task.id);
    if (waiters !== undefined && (event.type === 'delete' || hasEnded(task))) this.oldGone(waiters);
  }

  private async work(): Promise<boolean> {
    if (this.restartQueue.size > 0) {
      const ids = takeSome(this.restartQueue, Math.max(1, Math.floor(this.loop.batchSize / 2)));
      try {
        await this.loop.write((tx) => {
          const items: { service: Service; task: Task }[] = [];
          for (const id of ids) {
            const task = tx.tasks.get(id);
            const service = task === undefined ? undefined : tx.services.get(task.serviceId);
            if (task !== undefined && service !== undefined && isAlive(task)) items.push({ service, task });
          }
          this.restartAll(tx, items);
        });
      } catch (err) {
        for (const id of ids) this.restartQueue.add(id);
        throw err;
      }
    } else if (this.startQueue.size > 0) {
      const ids = takeSome(this.startQueue, this.loop.batchSize);
      const ended: string[] = [];
      try {
        await this.loop.write((tx) => {
          for (const id of ids) {
            const t = tx.tasks.get(id);
            if (t === undefined || t.desiredState !== 'ready') continue;
            if (hasEnded(t)) {
              ended.push(id);
              continue;
            }
            const service = tx.services.get(t.serviceId);
            if (service === undefined) continue;
            const target = isJob(service.spec) ? 'complete' : 'running';
            tx.tasks.update(id, (d) => {
              d.desiredState = target;
            });
          }
        });
      } catch (err) {
        for (const id of ids) this.startQueue.add(id);
        throw err;
      }
      for (const id of ended) this.restartQueue.add(id);
    }
    return this.restartQueue.size > 0 || this.startQueue.size > 0;
  }

  private arm(p: PendingStart): void {
    // A stopped supervisor arms nothing: the next leader re-arms from the store.
    if (!this.loop.active) return;
    this.drop(p.taskId);
    this.pending.set(p.taskId, p);
    if (p.waitFor !== undefined) addTo(this.waitingOnTask, p.waitFor, p.taskId);
    if (p.waitNode !== undefined && p.waitNode !== '') addTo(this.waitingOnNode, p.waitNode, p.taskId);
    this.evaluate(p);
  }

  private evaluate(p: PendingStart): void {
    const now = this.loop.clock.now();
    if (now < p.readyAt) {
      this.timers.at(p.readyAt, p.taskId);
      return;
    }
    if (p.restartOnDue) {
      this.drop(p.taskId);
      this.restartQueue.add(p.taskId);
      this.loop.kick();
      return;
    }
    if (p.waitFor === undefined || p.oldStopped || now >= p.deadline) {
      this.drop(p.taskId);
      this.startQueue.add(p.taskId);
      this.loop.kick();
      return;
    }
    this.timers.at(p.deadline, p.taskId);
  }

  private oldGone(waiters: ReadonlySet<string> | undefined): void {
    if (waiters === undefined) return;
    for (const id of [...waiters]) {
      const p = this.pending.get(id);
      if (p === undefined) continue;
      p.oldStopped = true;
      this.evaluate(p);
    }
  }

  private drop(taskId: string): void {
    const p = this.pending.get(taskId);
    if (p === undefined) return;
    this.pending.delete(taskId);
    if (p.waitFor !== undefined) removeFrom(this.waitingOnTask, p.waitFor, taskId);
    if (p.waitNode !== undefined) removeFrom(this.waitingOnNode, p.waitNode, taskId);
  }
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
