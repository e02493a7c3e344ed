import type { Service, Task } from '../api/index.js';

/**
 * What the orchestrators hand rolling updates to (the update supervisor, `UpdateSupervisor` in
 * `src/orchestrator/update`). A slot is the runnable tasks of one replica (replicated services,
 * by slot number) or of one node (global services).
 *
 * The replicated and global orchestrators call `update` after reconciling a service whose spec
 * version they have not handed over yet: on every spec change, and once for every service when
 * they start (a new leader resumes updates in progress). The slots may contain no dirty task at
 * all (a scale changes the spec version without changing any task), so `update` must then be
 * cheap and leave the tasks alone; it must also ignore a call for a spec it is already working
 * towards. It must not throw.
 *
 * @public
 */
export interface Updater {
  /** Brings `slots` to `service`'s current spec (the updater picks the dirty ones). */
  update(service: Service, slots: readonly (readonly Task[])[]): void;
  /** Abandons the update of a service (deleted, or superseded). */
  cancel(serviceId: string): void;
  /** Stops every update. */
  stop(): Promise<void>;
}

/**
 * A component the orchestrator runs alongside its own loops (the constraint enforcer): started
 * with the orchestrator and stopped with it.
 *
 * @public
 */
export interface LeaderLoop {
  start(): void;
  stop(): Promise<void>;
}

/**
 * An {@link Updater} that updates nothing: the default until an update supervisor is wired in.
 * Tasks of an older spec then keep running until they are restarted.
 *
 * @public
 */
export const NOOP_UPDATER: Updater = Object.freeze({
  update: (): void => undefined,
  cancel: (): void => undefined,
  stop: (): Promise<void> => Promise.resolve(),
});
