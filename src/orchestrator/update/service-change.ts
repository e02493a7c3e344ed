import { castDraft } from 'immer';
import { isJob } from '../../api/index.js';
import type { Service, ServiceSpec, UpdateStatus } from '../../api/index.js';
import { InvalidStateError } from '../../errors/index.js';
import type { ObjectDraft } from '../../store/index.js';
import { MANUAL_ROLLBACK_MESSAGE } from './messages.js';

/**
 * The service fields a spec change sets. Every key is present; a field the change clears or
 * leaves unset (the update status after a user's update, the job status of a service that is not
 * a job) holds `undefined`, so both `Object.assign(draft, change)` and {@link writeServiceChange}
 * (which deletes such fields rather than keeping them as `undefined`) write the change.
 *
 * @public
 */
export interface ServiceChange {
  readonly spec: ServiceSpec;
  readonly specVersion: number;
  readonly previousSpec: ServiceSpec | undefined;
  readonly previousSpecVersion: number | undefined;
  readonly updateStatus: UpdateStatus | undefined;
  readonly jobStatus: Service['jobStatus'] | undefined;
}

/** Jobs start a new iteration with every spec change (SwarmKit's `JobIteration`). */
function nextJobStatus(service: Service, spec: ServiceSpec, now: number): Service['jobStatus'] {
  if (service.jobStatus === undefined && !isJob(spec)) return undefined;
  return { jobIteration: (service.jobStatus?.jobIteration ?? 0) + 1, lastExecution: now };
}

/**
 * What a user's service update (`docker service update`) changes, as SwarmKit's control API does
 * it: the current spec becomes `previousSpec` (with its version), `newSpec` becomes the spec, the
 * spec version goes up by one, and the update status is cleared, which un-pauses a paused update;
 * a job also starts a new iteration (`jobStatus.jobIteration` + 1, `lastExecution` = `now`). The
 * orchestrators see the new spec version and hand the service to the update supervisor.
 *
 * Pure: it reads `service` and returns the fields to write. Call it inside the store transaction
 * that writes them, with a spec already validated against the current one.
 *
 * @param service - the service as stored
 * @param newSpec - the validated new spec (see `validateServiceSpecUpdate`)
 * @param now - the clock's current time
 * @example
 * ```ts
 * await store.update((tx) => {
 *   const current = tx.services.getOrThrow(id);
 *   const change = applyServiceUpdate(current, validateServiceSpecUpdate(current.spec, next), clock.now());
 *   tx.services.update(id, (draft) => writeServiceChange(draft, change));
 * });
 * ```
 * @public
 */
export function applyServiceUpdate(service: Service, newSpec: ServiceSpec, now: number): ServiceChange {
  return {
    spec: newSpec,
    specVersion: service.specVersion + 1,
    previousSpec: service.spec,
    previousSpecVersion: service.specVersion,
    updateStatus: undefined,
    jobStatus: nextJobStatus(service, newSpec, now),
  };
}

/**
 * What a manual rollback (`docker service rollback`, SwarmKit's `rollback=PREVIOUS`) changes: the
 * spec and the previous spec swap places (so a second rollback rolls forward again), the spec
 * version goes up by one, and the update status becomes `rollback_started` with the message
 * `manually requested rollback`; a job also starts a new iteration. The updater then rolls the
 * tasks back with the service's `rollback` config.
 *
 * Pure, like {@link applyServiceUpdate}; write the result with {@link writeServiceChange}.
 *
 * @param service - the service as stored
 * @param now - the clock's current time (the rollback's `startedAt`)
 * @throws InvalidStateError when the service has no previous spec (it was never updated, or an
 *   automatic rollback already consumed it)
 * @public
 */
export function applyManualRollback(service: Service, now: number): ServiceChange {
  const previous = service.previousSpec;
  if (previous === undefined) {
    throw new InvalidStateError(`service ${service.spec.name} (${service.id}) has no previous spec to roll back to`);
  }
  return {
    spec: previous,
    specVersion: service.specVersion + 1,
    previousSpec: service.spec,
    previousSpecVersion: service.specVersion,
    updateStatus: { state: 'rollback_started', message: MANUAL_ROLLBACK_MESSAGE, startedAt: now },
    jobStatus: nextJobStatus(service, previous, now),
  };
}

const CHANGE_FIELDS = ['spec', 'specVersion', 'previousSpec', 'previousSpecVersion', 'updateStatus', 'jobStatus'] as const;

/**
 * Writes a {@link ServiceChange} onto a service draft inside `tx.services.update`: sets every field
 * the change carries and deletes the ones it leaves out (`previousSpec`, `updateStatus`, ...).
 *
 * @public
 */
export function writeServiceChange(draft: ObjectDraft<'service'>, change: ServiceChange): void {
  const target = draft as unknown as Record<string, unknown>;
  for (const field of CHANGE_FIELDS) {
    const value = change[field];
    if (value === undefined) delete target[field];
    else target[field] = castDraft(value);
  }
}
