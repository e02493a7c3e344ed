/*
 * The two steps of `prepare` that run after the container is created and before it can start.
 * Both are no-ops today: they are where networks and secrets plug in.
 */
import type { Task } from '../../api/index.js';
import type { DockerEngine } from './engine.js';

/** What an attachment step works on. @internal */
export interface AttachmentContext {
  readonly engine: DockerEngine;
  readonly task: Task;
  /** The freshly created (never started) container. */
  readonly containerId: string;
}

/**
 * Connects the container to the task's networks. A no-op for now: containers run on the
 * engine's default bridge.
 *
 * Where networks plug in: for each of `task.networks` (the allocator's attachments, with their
 * addresses), make sure a matching Docker network exists on this engine (create it from the
 * Flotilla network's driver and IPAM config, labelled with the scope, as SwarmKit's
 * `createNetworks` does) and `POST /networks/{id}/connect` the created container with the
 * attachment's IPv4/IPv6 address and aliases. Connecting works on a created container, so the
 * process sees its interfaces from its first instruction. `remove` would then delete networks
 * no other container of the scope uses.
 *
 * @internal
 */
export async function attachNetworks(_ctx: AttachmentContext): Promise<void> {
  // Intentionally empty: see the TSDoc above.
}

/**
 * Writes the task's secrets and configs into the container as files. A no-op for now: the
 * executor has no access to secret data yet (the dispatcher does not ship it to agents).
 *
 * Where secrets plug in: the step has the created container and runs before its process does.
 * Two ways fit: upload a tar archive of the files (each target's name, uid, gid and mode) with
 * `PUT /containers/{id}/archive` — works with a remote engine, but the bytes land in the
 * container's writable layer; or, with a local engine, write them to a host tmpfs directory that
 * `containerCreateBody` bind-mounts read-only at `/run/secrets` (what Docker does for Swarm's
 * secrets), so they never touch a disk. Configs go to their target paths the same way.
 *
 * @internal
 */
export async function materialiseFiles(_ctx: AttachmentContext): Promise<void> {
  // Intentionally empty: see the TSDoc above.
}
