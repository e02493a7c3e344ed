import type { Service } from '../../api/index.js';

/** A job service's run bookkeeping, as stored in `service.jobStatus`. @public */
export interface JobStatus {
  /** Which run of the job the service is on (0 for the first). */
  readonly jobIteration: number;
  /** When that run started. */
  readonly lastExecution?: number;
}

/**
 * The job status that starts the next run of a job: whoever updates a job service (the control
 * API) stores it along with the new spec, in the same transaction. The jobs orchestrator then
 * asks the previous run's tasks to go (desired `remove`) and runs the job again from scratch.
 * Docker re-runs a job on every `docker service update`, including `--force`.
 *
 * @example
 * ```ts
 * await store.update((tx) =>
 *   tx.services.update(id, (s) => {
 *     s.spec = newSpec;
 *     s.specVersion += 1;
 *     s.jobStatus = nextJobStatus(s, clock.now());
 *   }),
 * );
 * ```
 * @public
 */
export function nextJobStatus(service: Pick<Service, 'jobStatus'>, now: number): JobStatus {
  return { jobIteration: (service.jobStatus?.jobIteration ?? 0) + 1, lastExecution: now };
}
