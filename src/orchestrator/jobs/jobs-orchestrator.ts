import { isJob, serviceModeKind } from '../../api/index.js';
import type { Service, Task } from '../../api/index.js';
import type { ObjectEvent, ReadTx, WriteTx } from '../../store/index.js';
import { isInvalidNode, newTask } from '../common/index.js';
import { ServiceLoop, type ServiceLoopOptions } from '../support/service-loop.js';
import { nodeMatches } from '../support/placement.js';
import { takeSome } from '../support/store-loop.js';
import { acceptsNewTasks, byNewest, exitedByItself, hasEnded, isAlive, jobIteration } from '../support/tasks.js';
import { planJob, type JobPlan } from './job-plan.js';

/** Options of {@link JobsOrchestrator}. @public */
export type JobsOrchestratorOptions = ServiceLoopOptions;

type Op = { readonly op: 'restart' | 'remove' | 'shutdown'; readonly ref: string } | { readonly op: 'create'; readonly ref: number | string };

interface Running {
  readonly plan: JobPlan;
  readonly ops: readonly Op[];
  done: number;
}

/**
 * Runs jobs to completion (SwarmKit's jobs orchestrator, leader only). A replicated job runs
 * `totalCompletions` tasks, one per slot 0..total−1, at most `maxConcurrent` at a time; a global
 * job runs one task to completion on every node that fits. Tasks are created with desired state
 * `complete`; a task that fails is restarted through the {@link RestartSupervisor} under the
 * job's restart policy (`any` counts as `on-failure`), and a slot whose task gets no replacement
 * is abandoned, not retried with a fresh task.
 *
 * Updating a job service starts a new iteration when `jobStatus.jobIteration` moves on (see
 * `nextJobStatus`): the tasks of earlier iterations that still run get desired `remove`, and the
 * new iteration starts from scratch. Jobs are not handed to the updater.
 *
 * A job is reconciled when it is created or changed, when one of its tasks ends, changes desired
 * state or is deleted, and when a node changes.
 *
 * @public
 */
export class JobsOrchestrator extends ServiceLoop {
  private readonly services = new Map<string, Service>();
  private readonly dirty = new Set<string>();
  private current: Running | undefined;

  constructor(options: JobsOrchestratorOptions) {
    super('jobs orchestrator', options);
  }

  protected load(tx: ReadTx): void {
    this.services.clear();
    this.dirty.clear();
    this.current = undefined;
    for (const s of tx.services.all()) {
      if (!isJob(s.spec)) continue;
      this.services.set(s.id, s);
      this.dirty.add(s.id);
    }
  }

  protected onEvent(event: ObjectEvent): void {
    switch (event.kind) {
      case 'service': {
        const s = event.object;
        if (event.type === 'delete') {
          if (this.services.delete(s.id)) this.ids.forgetPrefix(s.id + '/');
          this.dirty.delete(s.id);
          return;
        }
        if (!isJob(s.spec)) return;
        this.services.set(s.id, s);
        if (event.type === 'create' || event.old.spec !== s.spec || event.old.specVersion !== s.specVersion || jobIteration(event.old) !== jobIteration(s)) {
          this.dirty.add(s.id);
        }
        return;
      }
      case 'task': {
        const t = event.object;
        if (!this.services.has(t.serviceId) || event.type === 'create') return;
        if (event.type === 'delete' || (hasEnded(t) && !hasEnded(event.old)) || t.desiredState !== event.old.desiredState) this.dirty.add(t.serviceId);
        return;
      }
      case 'node':
        for (const id of this.services.keys()) this.dirty.add(id);
        return;
      default:
        return;
    }
  }

  protected async work(): Promise<boolean> {
    const cur = this.current;
    if (cur !== undefined && (this.dirty.has(cur.plan.service.id) || !this.services.has(cur.plan.service.id))) {
      this.current = undefined; // changed since it was planned: plan again
    } else if (cur !== undefined) {
      await this.advance(cur);
    } else {
      const id = takeSome(this.dirty, 1)[0];
      if (id !== undefined) {
        const plan = this.loop.store.view((tx) => {
          const service = tx.services.get(id);
          return service === undefined ? undefined : planJob(tx, service);
        });
        if (plan !== undefined) this.current = { plan, ops: opsOf(plan), done: 0 };
      }
    }
    if (this.current !== undefined && this.current.done >= this.current.ops.length) this.current = undefined;
    return this.current !== undefined || this.dirty.size > 0;
  }

  private async advance(cur: Running): Promise<void> {
    const ops = cur.ops.slice(cur.done, cur.done + Math.max(1, Math.floor(this.loop.batchSize / 2)));
    const { plan } = cur;
    const id = plan.service.id;
    const keys: string[] = [];
    const now = this.loop.clock.now();
    let stale = false;
    await this.loop.write((tx) => {
      const service = tx.services.get(id);
      if (service === undefined || service.specVersion !== plan.service.specVersion || jobIteration(service) !== plan.iteration) {
        stale = true;
        return;
      }
      // Every read before the first write: a find after staged writes scans them all.
      const restart: { service: Service; task: Task }[] = [];
      const stop: Task[] = [];
      const remove: Task[] = [];
      const create: { ref: number | string; key: string }[] = [];
      for (const op of ops) {
        if (op.op === 'create') {
          const key = `${id}/${plan.iteration}/${String(op.ref)}`;
          if (this.canCreate(tx, service, plan.iteration, op.ref)) create.push({ ref: op.ref, key });
          continue;
        }
        const t = tx.tasks.get(op.ref);
        if (t === undefined) continue;
        if (op.op === 'restart') this.restartOrStop(tx, service, t, restart, stop);
        else if (op.op === 'remove' && !hasEnded(t) && t.desiredState !== 'remove') remove.push(t);
        else if (op.op === 'shutdown' && isAlive(t)) stop.push(t);
      }
      this.restarts.restartAll(tx, restart);
      for (const { ref, key } of create) {
        keys.push(key);
        const where = typeof ref === 'number' ? { slot: ref } : { nodeId: ref };
        tx.tasks.create(newTask(service, { id: this.ids.idFor(key), now, ...where, desiredState: 'complete', jobIteration: plan.iteration }));
      }
      for (const t of stop) setDesired(tx, t, 'shutdown');
      for (const t of remove) setDesired(tx, t, 'remove');
    });
    this.ids.confirm(keys);
    cur.done += ops.length;
    if (stale) {
      this.current = undefined;
      if (this.services.has(id)) this.dirty.add(id);
    }
  }

  /** Sorts a task to restart into `restart` (or `stop`, for a global job on a node that no longer fits). */
  private restartOrStop(tx: ReadTx, service: Service, t: Task, restart: { service: Service; task: Task }[], stop: Task[]): void {
    if (!isAlive(t)) return;
    const node = t.nodeId === '' ? undefined : tx.nodes.get(t.nodeId);
    if (serviceModeKind(service.spec) === 'globalJob') {
      if (node === undefined || isInvalidNode(node) || !nodeMatches(service, node) || !acceptsNewTasks(node)) stop.push(t);
      else if (hasEnded(t)) restart.push({ service, task: t });
      return;
    }
    if (hasEnded(t) || (t.nodeId !== '' && isInvalidNode(node))) restart.push({ service, task: t });
  }

  /** Whether slot `ref` (or node `ref`) still needs a task of this iteration. */
  private canCreate(tx: ReadTx, service: Service, iteration: number, ref: number | string): boolean {
    const current = (t: Task): boolean => (t.jobIteration ?? 0) === iteration;
    if (typeof ref === 'number') return !tx.tasks.find({ serviceId: service.id, slot: ref }).some(current);
    const node = tx.nodes.get(ref);
    if (node === undefined || !acceptsNewTasks(node) || !nodeMatches(service, node)) return false;
    const tasks = tx.tasks.find({ serviceId: service.id, nodeId: ref }).filter(current);
    const newest = [...tasks].sort(byNewest)[0];
    return !tasks.some(isAlive) && (newest === undefined || !exitedByItself(newest));
  }
}

function opsOf(plan: JobPlan): Op[] {
  return [
    ...plan.restarts.map((ref): Op => ({ op: 'restart', ref })),
    ...plan.creates.map((ref): Op => ({ op: 'create', ref })),
    ...plan.removes.map((ref): Op => ({ op: 'remove', ref })),
    ...plan.shutdowns.map((ref): Op => ({ op: 'shutdown', ref })),
  ];
}

function setDesired(tx: WriteTx, t: Task, state: 'remove' | 'shutdown'): void {
  tx.tasks.update(t.id, (d) => {
    d.desiredState = state;
  });
}
