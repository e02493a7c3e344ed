/**
 * Flotilla's Docker executor: a cluster's tasks as containers on a real Docker engine, through
 * dockerode. `dockerode` is an optional peer dependency: install it to use this entry point; the
 * main `flotilla` entry never loads it.
 *
 * @example
 * ```ts
 * import { Cluster } from 'flotilla';
 * import { DockerExecutor } from 'flotilla/docker';
 *
 * const cluster = await Cluster.create({
 *   managers: 1,
 *   executor: (ctx) => new DockerExecutor({ scope: `demo-${ctx.hostname}`, hostname: ctx.hostname }),
 * });
 * ```
 *
 * @packageDocumentation
 */
export { DockerExecutor, DockerEngineError, DOCKER_LABELS, DEFAULT_DOCKER_SCOPE, containerName } from './executor/docker/index.js';
export type { DockerExecutorOptions, DockerEngineErrorOptions } from './executor/docker/index.js';
