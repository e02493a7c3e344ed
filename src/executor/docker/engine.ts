/*
 * A thin wrapper over dockerode: one method per engine call the executor makes, with Docker's
 * "nothing to do" answers (404 on a removal, 304 on a start or stop, 409 on killing a stopped
 * container) turned into success, so the controller's steps stay idempotent.
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ContainerCreateBody } from './container-config.js';
import { engineFailure, isNotFound } from './errors.js';
import type { ContainerJson } from './state.js';

/** `docker info`, as far as the executor reads it. @internal */
export interface EngineInfo {
  readonly Name?: string;
  readonly OSType?: string;
  readonly Architecture?: string;
  readonly NCPU?: number;
  readonly MemTotal?: number;
  readonly Labels?: readonly string[] | null;
  readonly ServerVersion?: string;
}

/** Options of {@link DockerEngine.logs}. @internal */
export interface EngineLogOptions {
  readonly follow: boolean;
  readonly tail?: number;
  /** Epoch milliseconds. */
  readonly since?: number;
}

/** A container as the list call returns it. @internal */
export interface ListedContainer {
  readonly Id: string;
  readonly Labels?: Record<string, string> | null;
}

/** The engine calls of the Docker executor. @internal */
export class DockerEngine {
  constructor(readonly docker: Dockerode) {}

  info(): Promise<EngineInfo> {
    return this.docker.info() as Promise<EngineInfo>;
  }

  async version(): Promise<string | undefined> {
    const v = (await this.docker.version()) as { Version?: string };
    return v.Version;
  }

  /** The container named or identified `ref`, or `undefined` when there is none. */
  async inspect(ref: string): Promise<ContainerJson | undefined> {
    try {
      return (await this.docker.getContainer(ref).inspect()) as ContainerJson;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Containers (any state) carrying every label filter (`key` or `key=value`). */
  async list(labels: readonly string[]): Promise<ListedContainer[]> {
    return (await this.docker.listContainers({ all: true, filters: { label: [...labels] } })) as ListedContainer[];
  }

  /**
   * Pulls `ref` and resolves once the engine reports the pull finished. A pull that fails partway
   * reports its error in the progress stream, not in the HTTP status; both reject here.
   */
  async pull(ref: string): Promise<void> {
    const stream = (await this.docker.pull(ref)) as Readable;
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err: unknown, output: readonly { error?: string; errorDetail?: { message?: string } }[]) => {
        if (err !== null && err !== undefined) return reject(err instanceof Error ? err : new Error(String(err)));
        const failed = output.find((o) => o.error !== undefined || o.errorDetail?.message !== undefined);
        if (failed !== undefined) return reject(Object.assign(new Error(failed.errorDetail?.message ?? failed.error ?? 'pull failed'), { statusCode: 500 }));
        resolve();
      });
    });
  }

  /** Creates the container; resolves with its id. */
  async create(body: ContainerCreateBody): Promise<string> {
    const container = await this.docker.createContainer(body as unknown as Dockerode.ContainerCreateOptions);
    return container.id;
  }

  /** Starts a container; one already started is left alone. */
  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (e) {
      if (engineFailure(e).statusCode === 304) return;
      throw e;
    }
  }

  /**
   * `docker stop`: the container's stop signal, then SIGKILL after `seconds`. Resolves once it no
   * longer runs; a container that is not running or does not exist is left alone.
   */
  async stop(id: string, seconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: seconds });
    } catch (e) {
      const status = engineFailure(e).statusCode;
      if (status === 304 || status === 404) return;
      throw e;
    }
  }

  /** Sends `signal` (default SIGKILL); a container that is not running or gone is left alone. */
  async kill(id: string, signal = 'SIGKILL'): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (e) {
      const f = engineFailure(e);
      if (f.statusCode === 404 || (f.statusCode === 409 && /not running/i.test(f.message))) return;
      throw e;
    }
  }

  /**
   * Resolves once the container no longer runs (at once if it does not) with its exit code;
   * `undefined` if it is gone. Aborting `signal` rejects.
   */
  async waitNotRunning(id: string, signal?: AbortSignal): Promise<number | undefined> {
    try {
      const r = (await this.docker.getContainer(id).wait({ condition: 'not-running', ...(signal !== undefined ? { abortSignal: signal } : {}) })) as { StatusCode?: number };
      return r.StatusCode;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Removes the container and its anonymous volumes, killing it if it runs. Gone already: fine. */
  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (e) {
      const f = engineFailure(e);
      if (f.statusCode === 404) return;
      if (f.statusCode === 409 && /already in progress/i.test(f.message)) {
        await this.waitNotRunning(id).catch(() => undefined);
        return;
      }
      throw e;
    }
  }

  /** The engine's event stream of containers carrying every label filter. */
  async events(labels: readonly string[], signal: AbortSignal): Promise<Readable> {
    return (await this.docker.getEvents({ filters: { type: ['container'], label: [...labels] }, abortSignal: signal } as Parameters<Dockerode['getEvents']>[0])) as Readable;
  }

  /**
   * A container's output, multiplexed (8-byte frame headers) unless it has a TTY, each line
   * prefixed with its RFC 3339 timestamp. Without `follow`, the whole output as one buffer.
   */
  async logs(id: string, options: EngineLogOptions, signal: AbortSignal): Promise<Readable | Buffer> {
    const opts = {
      follow: options.follow,
      stdout: true,
      stderr: true,
      timestamps: true,
      tail: options.tail === undefined ? 'all' : String(Math.max(0, Math.floor(options.tail))),
      ...(options.since !== undefined ? { since: unixSeconds(options.since) } : {}),
      abortSignal: signal,
    };
    return (await this.docker.getContainer(id).logs(opts as unknown as Dockerode.ContainerLogsOptions & { follow: true })) as Readable | Buffer;
  }
}

/** Epoch milliseconds as Docker's `seconds.nanoseconds`. */
function unixSeconds(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const nanos = Math.round((ms - whole * 1000) * 1e6);
  return `${whole}.${String(nanos).padStart(9, '0')}`;
}
