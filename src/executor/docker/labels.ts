import { taskName, type Task } from '../../api/index.js';

/**
 * The labels the Docker executor puts on every container it creates. The `com.docker.swarm.*`
 * ones are Swarm's (so `docker ps --filter label=com.docker.swarm.service.name=web` works the
 * same); `io.flotilla.scope` marks the container as Flotilla's and names the executor instance
 * that owns it, so an executor never lists, adopts or removes the containers of a real swarm or
 * of another executor sharing the engine.
 *
 * @public
 */
export const DOCKER_LABELS = Object.freeze({
  /** Present (empty) on every task container, as Swarm marks its own. */
  task: 'com.docker.swarm.task',
  taskId: 'com.docker.swarm.task.id',
  /** `<service>.<slot>.<task id>` (global services: `<service>.<node id>.<task id>`). */
  taskName: 'com.docker.swarm.task.name',
  nodeId: 'com.docker.swarm.node.id',
  serviceId: 'com.docker.swarm.service.id',
  serviceName: 'com.docker.swarm.service.name',
  /** The owning executor's scope (see `DockerExecutorOptions.scope`). */
  scope: 'io.flotilla.scope',
});

/** The scope of an executor built without one. @public */
export const DEFAULT_DOCKER_SCOPE = 'default';

/**
 * The name of a task's container: `<service>.<slot>.<task id>`, or `<service>.<node id>.<task id>`
 * for a global service's task (slot 0), as Swarm names them.
 *
 * @public
 */
export function containerName(task: Pick<Task, 'serviceName' | 'slot' | 'nodeId' | 'id'>): string {
  return taskName(task);
}

/**
 * The labels of a task's container: the spec's labels, then the system labels, which win.
 *
 * @internal
 */
export function containerLabels(task: Task, scope: string): Record<string, string> {
  return {
    ...task.spec.container.labels,
    [DOCKER_LABELS.task]: '',
    [DOCKER_LABELS.taskId]: task.id,
    [DOCKER_LABELS.taskName]: containerName(task),
    [DOCKER_LABELS.nodeId]: task.nodeId,
    [DOCKER_LABELS.serviceId]: task.serviceId,
    [DOCKER_LABELS.serviceName]: task.serviceName,
    [DOCKER_LABELS.scope]: scope,
  };
}

/** True when `labels` mark a container of task `taskId` owned by `scope`. @internal */
export function ownedBy(labels: Readonly<Record<string, string>> | null | undefined, scope: string, taskId: string): boolean {
  return labels?.[DOCKER_LABELS.scope] === scope && labels[DOCKER_LABELS.taskId] === taskId;
}

/** The engine-side label filters selecting the containers of `scope` (of one task, if given). @internal */
export function scopeFilters(scope: string, taskId?: string): string[] {
  return [`${DOCKER_LABELS.scope}=${scope}`, taskId === undefined ? DOCKER_LABELS.taskId : `${DOCKER_LABELS.taskId}=${taskId}`];
}
