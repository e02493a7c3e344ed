/*
 * Image references as a Docker engine compares them: `busybox`, `busybox:latest`,
 * `library/busybox` and `docker.io/library/busybox:latest` are the same image.
 */

/** A normalised image reference: `repository` (with registry) and the full reference. @internal */
export interface ImageKey {
  /** e.g. `docker.io/library/busybox` */
  readonly repository: string;
  /** e.g. `docker.io/library/busybox:latest` or `docker.io/library/busybox@sha256:…` */
  readonly reference: string;
  /** Whether the written reference named a tag or digest (`busybox:1.36`) or not (`busybox`). */
  readonly pinned: boolean;
}

/** Memo of {@link imageKey}: a node sees few distinct images. Bounded: cleared when full. */
const KEY_CACHE = new Map<string, ImageKey>();
const KEY_CACHE_LIMIT = 4096;

/** Normalises an image reference the way the Docker engine does. @internal */
export function imageKey(ref: string): ImageKey {
  let key = KEY_CACHE.get(ref);
  if (key === undefined) {
    if (KEY_CACHE.size >= KEY_CACHE_LIMIT) KEY_CACHE.clear();
    key = normalise(ref);
    KEY_CACHE.set(ref, key);
  }
  return key;
}

function normalise(ref: string): ImageKey {
  let name = ref.trim();
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at);
    name = name.slice(0, at);
  }
  let tag = '';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon);
    name = name.slice(0, colon);
  }
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let repository = hasRegistry ? name : slash < 0 ? `docker.io/library/${name}` : `docker.io/${name}`;
  if (repository.startsWith('index.docker.io/')) repository = `docker.io/${repository.slice('index.docker.io/'.length)}`;
  const pinned = tag !== '' || digest !== '';
  return Object.freeze({ repository, reference: `${repository}${pinned ? tag + digest : ':latest'}`, pinned });
}

/**
 * A set of image references where an entry without a tag or digest stands for every tag of its
 * repository (`busybox` matches `busybox:1.36`; `busybox:1.36` matches only itself).
 *
 * @internal
 */
export class ImageSet<T = true> {
  private readonly byReference = new Map<string, T>();
  private readonly byRepository = new Map<string, T>();

  set(ref: string, value: T): void {
    const key = imageKey(ref);
    if (key.pinned) this.byReference.set(key.reference, value);
    else this.byRepository.set(key.repository, value);
  }

  delete(ref: string): void {
    const key = imageKey(ref);
    if (key.pinned) this.byReference.delete(key.reference);
    else this.byRepository.delete(key.repository);
  }

  /** The value for `ref`: its exact reference first, then its repository. */
  get(ref: string): T | undefined {
    if (this.byReference.size === 0 && this.byRepository.size === 0) return undefined;
    const key = imageKey(ref);
    return this.byReference.get(key.reference) ?? this.byRepository.get(key.repository);
  }

  has(ref: string): boolean {
    return this.get(ref) !== undefined;
  }
}
