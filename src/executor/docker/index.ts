/*
 * The Docker executor: Flotilla's tasks as containers on a real Docker engine, through dockerode
 * (an optional peer dependency, imported only from this folder). Published as `flotilla/docker`.
 */
export { DockerExecutor } from './executor.js';
export type { DockerExecutorOptions } from './executor.js';
export { DockerEngineError } from './errors.js';
export type { DockerEngineErrorOptions } from './errors.js';
export { DOCKER_LABELS, DEFAULT_DOCKER_SCOPE, containerName } from './labels.js';
