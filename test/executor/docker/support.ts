/**
 * Shared by the Docker executor's tests: whether an engine answers, a unique scope per test file
 * (so parallel files never see each other's containers), label-based clean-up, and helpers to
 * read containers straight from the engine.
 *
 * Without an engine the suites are skipped — unless `CI=true`, where a missing engine is a
 * failure: each suite then holds one test that fails saying so.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, describe, it } from 'vitest';
import Docker from 'dockerode';
import { DOCKER_LABELS } from '../../../src/executor/docker/index.js';

export const SOCKET_PATH = process.env.DOCKER_SOCK ?? '/var/run/docker.sock';

/** The one dockerode client the tests use to look behind the executor's back. */
export const docker = new Docker({ socketPath: SOCKET_PATH });

/** Whether an engine answers, and the `busybox` image the tests run is there. */
export const engine: { readonly ok: boolean; readonly reason: string } = await probe();

async function probe(): Promise<{ ok: boolean; reason: string }> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3_000).unref());
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (e) {
    return { ok: false, reason: `no Docker engine answers on ${SOCKET_PATH} (${e instanceof Error ? e.message : String(e)})` };
  }
  try {
    await docker.getImage('busybox:latest').inspect();
  } catch {
    return { ok: false, reason: 'the engine has no busybox:latest image' };
  }
  return { ok: true, reason: '' };
}

/**
 * Declares a suite that needs the engine: run when one answers; otherwise skipped, or — with
 * `CI=true` — a single failing test that says why.
 */
export function dockerSuite(name: string, body: () => void, options: { readonly concurrent?: boolean } = {}): void {
  if (engine.ok) {
    if (options.concurrent === true) describe.concurrent(name, body);
    else describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a Docker engine (CI=true: a missing engine fails the build)', () => {
        throw new Error(`${engine.reason}; run \`bash scripts/docker-engine.sh\` first`);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${engine.reason})`, body);
}

/**
 * A scope unique to this test file (and run), for executors' `scope` option. Every container of
 * it (and of scopes derived as `${scope}-...`) is removed after the file's tests.
 */
export function fileScope(tag: string): string {
  const scope = `flotilla-test-${tag}-${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    if (engine.ok) await removeScope(scope);
  });
  return scope;
}

/** Removes every container whose scope label is `scope` or starts with `${scope}-`. */
export async function removeScope(scope: string): Promise<void> {
  const all = await docker.listContainers({ all: true, filters: { label: [DOCKER_LABELS.scope] } });
  const mine = all.filter((c) => {
    const s = c.Labels[DOCKER_LABELS.scope] ?? '';
    return s === scope || s.startsWith(`${scope}-`);
  });
  await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
}

/** Containers of `scope` (exactly), with their labels, inspected. */
export async function containersOf(scope: string, extraLabels: readonly string[] = []): Promise<Docker.ContainerInspectInfo[]> {
  const listed = await docker.listContainers({ all: true, filters: { label: [`${DOCKER_LABELS.scope}=${scope}`, ...extraLabels] } });
  const out: Docker.ContainerInspectInfo[] = [];
  for (const c of listed) {
    try {
      out.push(await docker.getContainer(c.Id).inspect());
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

/** A fresh id usable in container names (25 lowercase hex characters). */
export function freshId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 25);
}

/** Resolves after `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Awaits `promise`, failing after `ms` of real time. */
export async function within<T>(promise: Promise<T>, ms: number, what = 'the operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `predicate` every 100 ms until it holds, failing after `ms`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** GETs `http://127.0.0.1:<port>/` and resolves with the body (rejects on failure or 2 s). */
export async function httpGet(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}
