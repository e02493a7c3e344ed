/*
 * Engine steps on one container that the controller and the logs share: finding a task's
 * container, and stopping it the way `docker stop` does.
 */
import type { Task } from '../../api/index.js';
import type { TimerHandle } from '../../runtime/index.js';
import type { DockerContext } from './context.js';
import type { DockerEngine } from './engine.js';
import { containerName, ownedBy, scopeFilters } from './labels.js';
import type { ContainerJson } from './state.js';

/**
 * The container of `task` owned by `scope`: by `cachedId` when given, else by name (the
 * common case), else by its task-id and scope labels (a stand-in task that knows only its id,
 * as the agent builds to remove containers of tasks it no longer knows). `undefined` when there
 * is none. Engine errors reject.
 *
 * @internal
 */
export async function findTaskContainer(engine: DockerEngine, scope: string, task: Task, cachedId?: string): Promise<ContainerJson | undefined> {
  if (cachedId !== undefined) {
    const byId = await engine.inspect(cachedId);
    if (byId !== undefined && ownedBy(byId.Config?.Labels, scope, task.id)) return byId;
  }
  const byName = await engine.inspect(containerName(task));
  if (byName !== undefined && ownedBy(byName.Config?.Labels, scope, task.id)) return byName;
  for (const listed of await engine.list(scopeFilters(scope, task.id))) {
    const c = await engine.inspect(listed.Id);
    if (c !== undefined && ownedBy(c.Config?.Labels, scope, task.id)) return c;
  }
  return undefined;
}

/**
 * Stops a running container as `docker stop` does, but to the millisecond: its stop signal
 * (default SIGTERM), up to `graceMs` for it to exit, then SIGKILL. Resolves once it no longer
 * runs. Engine errors reject.
 *
 * @internal
 */
export async function stopContainer(ctx: DockerContext, c: ContainerJson, graceMs: number): Promise<void> {
  const signal = c.Config?.StopSignal !== undefined && c.Config.StopSignal !== '' ? c.Config.StopSignal : 'SIGTERM';
  if (graceMs > 0) {
    await ctx.engine.kill(c.Id, signal);
    if (await exitsWithin(ctx, c.Id, graceMs)) return;
  }
  await ctx.engine.kill(c.Id, 'SIGKILL');
  await ctx.engine.waitNotRunning(c.Id);
}

/** True when the container stops running within `ms` (the engine's wait, bounded by a timer). */
async function exitsWithin(ctx: DockerContext, id: string, ms: number): Promise<boolean> {
  const abort = new AbortController();
  let timer: TimerHandle | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = ctx.clock.setTimeout(() => resolve(false), ms);
  });
  const exited = ctx.engine.waitNotRunning(id, abort.signal).then(
    () => true as const,
    (e: unknown) => {
      if (abort.signal.aborted) return false as const;
      throw e;
    },
  );
  try {
    return await Promise.race([exited, expired]);
  } finally {
    if (timer !== undefined) ctx.clock.clearTimeout(timer);
    abort.abort();
  }
}
