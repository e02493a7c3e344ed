import { castDraft } from 'immer';
import type { Service } from '../../api/index.js';
import type { Clock, Logger } from '../../runtime/index.js';
import type { ObjectDraft, Store } from '../../store/index.js';
import { ROLLBACK_COMPLETED_MESSAGE, UPDATE_COMPLETED_MESSAGE, UPDATE_IN_PROGRESS_MESSAGE } from './messages.js';

/** What the status writes need. @internal */
export interface StatusContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
}

/**
 * Changes the service's update status, but only while the service is still at `specVersion`: a
 * newer spec belongs to a newer update, which owns the status from then on. Never rejects; a
 * failed write (lost leadership, a closed store) is logged and dropped, as SwarmKit does.
 */
async function writeStatus(
  ctx: StatusContext,
  serviceId: string,
  specVersion: number,
  what: string,
  change: (draft: ObjectDraft<'service'>, service: Service) => void,
): Promise<boolean> {
  try {
    return await ctx.store.update((tx) => {
      const service = tx.services.get(serviceId);
      if (service === undefined || service.specVersion !== specVersion) return false;
      const after = tx.services.update(serviceId, (draft) => change(draft, service));
      return after !== service;
    });
  } catch (error) {
    ctx.logger?.warn?.(`update supervisor: failed to ${what}`, { serviceId, error: String(error) });
    return false;
  }
}

/** `updating`, with `startedAt`, unless the service already has an update status. @internal */
export function markStarted(ctx: StatusContext, serviceId: string, specVersion: number): Promise<boolean> {
  const now = ctx.clock.now();
  return writeStatus(ctx, serviceId, specVersion, 'mark the update started', (draft, service) => {
    if (service.updateStatus !== undefined) return;
    draft.updateStatus = { state: 'updating', startedAt: now, message: UPDATE_IN_PROGRESS_MESSAGE };
  });
}

/** `completed` or `rollback_completed`, with `completedAt`, from `updating` or `rollback_started`. @internal */
export function markCompleted(ctx: StatusContext, serviceId: string, specVersion: number): Promise<boolean> {
  const now = ctx.clock.now();
  return writeStatus(ctx, serviceId, specVersion, 'mark the update completed', (draft, service) => {
    const state = service.updateStatus?.state;
    if (draft.updateStatus === undefined || (state !== 'updating' && state !== 'rollback_started')) return;
    const rolledBack = state === 'rollback_started';
    draft.updateStatus.state = rolledBack ? 'rollback_completed' : 'completed';
    draft.updateStatus.message = rolledBack ? ROLLBACK_COMPLETED_MESSAGE : UPDATE_COMPLETED_MESSAGE;
    draft.updateStatus.completedAt = now;
  });
}

/** `paused` (or `rollback_paused` during a rollback) with `message`. @internal */
export function markPaused(ctx: StatusContext, serviceId: string, specVersion: number, message: string): Promise<boolean> {
  return writeStatus(ctx, serviceId, specVersion, 'pause the update', (draft, service) => {
    if (draft.updateStatus === undefined) return;
    draft.updateStatus.state = service.updateStatus?.state === 'rollback_started' ? 'rollback_paused' : 'paused';
    draft.updateStatus.message = message;
  });
}

/**
 * Starts an automatic rollback, as SwarmKit does: the update status becomes `rollback_started`
 * with `message` (its `startedAt` stays), the previous spec becomes the spec, and the previous
 * spec is cleared (an automatic rollback cannot be rolled back manually). Unlike SwarmKit, whose
 * spec versions are raft indexes and can return to the old value, the spec version goes up by
 * one, so every orchestrator sees a new spec to converge to. Without a previous spec it pauses
 * with `noPreviousMessage` instead.
 *
 * @internal
 */
export function startRollback(ctx: StatusContext, serviceId: string, specVersion: number, message: string, noPreviousMessage: string): Promise<boolean> {
  return writeStatus(ctx, serviceId, specVersion, 'start the rollback', (draft, service) => {
    if (draft.updateStatus === undefined) return;
    const previous = service.previousSpec;
    if (previous === undefined) {
      draft.updateStatus.state = 'paused';
      draft.updateStatus.message = noPreviousMessage;
      return;
    }
    draft.updateStatus.state = 'rollback_started';
    draft.updateStatus.message = message;
    draft.spec = castDraft(previous);
    draft.specVersion = service.specVersion + 1;
    delete draft.previousSpec;
    delete draft.previousSpecVersion;
  });
}
