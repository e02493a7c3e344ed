import type { ServiceMode, ServiceSpec } from './specs.js';

/** The four ways a service can run. @public */
export type ServiceModeKind = 'replicated' | 'global' | 'replicatedJob' | 'globalJob';

/**
 * Which mode a service runs in; a spec without a mode is replicated (Docker's default).
 *
 * @example
 * ```ts
 * serviceModeKind({ mode: { globalJob: {} } }); // 'globalJob'
 * serviceModeKind({});                          // 'replicated'
 * ```
 * @public
 */
export function serviceModeKind(spec: { readonly mode?: ServiceMode | undefined } | Pick<ServiceSpec, 'mode'>): ServiceModeKind {
  const mode = spec.mode as Partial<Record<ServiceModeKind, unknown>> | undefined;
  if (mode === undefined) return 'replicated';
  if (mode.global !== undefined) return 'global';
  if (mode.replicatedJob !== undefined) return 'replicatedJob';
  if (mode.globalJob !== undefined) return 'globalJob';
  return 'replicated';
}

/** True for job modes (`replicatedJob`, `globalJob`): tasks run to completion instead of forever. @public */
export function isJob(spec: { readonly mode?: ServiceMode | undefined }): boolean {
  const kind = serviceModeKind(spec);
  return kind === 'replicatedJob' || kind === 'globalJob';
}
