/**
 * The file-system seam under the write-ahead log and the snapshot store: a dozen asynchronous
 * operations with exact durability contracts, so that a simulated implementation can model power
 * loss and the real one stays a thin wrapper over `node:fs/promises`.
 *
 * Durability contract (what both implementations promise, and what the log relies on):
 * - Bytes appended to a file survive a crash only once {@link WritableFile.sync} has returned.
 * - Creating, renaming or unlinking a directory entry survives a crash only once
 *   {@link FileSystem.syncDir} has returned for the parent directory.
 * - `mkdirp` is treated as durable on return (a simplification: the log's directory is created
 *   once, long before any data that matters is written into it).
 *
 * Paths are plain strings joined with `/` (see {@link joinPath}); Node accepts `/` on every
 * platform.
 */

/**
 * A file opened for appending. Every `append` writes at the current end of the file.
 *
 * @public
 */
export interface WritableFile {
  /** The file's path as passed to {@link FileSystem.openAppend}. */
  readonly path: string;
  /** Appends `data` at the end of the file. Not durable until {@link WritableFile.sync}. */
  append(data: Uint8Array): Promise<void>;
  /** Makes every byte appended so far durable (fsync). */
  sync(): Promise<void>;
  /** Releases the handle. Does not sync. */
  close(): Promise<void>;
}

/**
 * Options of {@link FileSystem.openAppend}.
 *
 * @public
 */
export interface OpenAppendOptions {
  /** Empty the file first if it exists (default `false`: keep its contents and append after them). */
  readonly truncate?: boolean;
}

/**
 * The operations the write-ahead log and snapshot store need. Implementations:
 * {@link NodeFileSystem} (real disk) and {@link SimulatedFileSystem} (in memory, with crashes).
 * Missing paths reject with an error whose `code` is `'ENOENT'`, as Node's do.
 *
 * @public
 */
export interface FileSystem {
  /** Creates `dir` and any missing parents; no-op when it exists. */
  mkdirp(dir: string): Promise<void>;
  /** Names (not paths) of the entries of `dir`, sorted by code unit. */
  readdir(dir: string): Promise<string[]>;
  /** True when `path` names an existing file or directory. */
  exists(path: string): Promise<boolean>;
  /** The size in bytes of the file at `path`. */
  size(path: string): Promise<number>;
  /** The whole contents of the file at `path`. */
  readFile(path: string): Promise<Uint8Array>;
  /** Opens (creating if missing) `path` for appending. A created entry is durable after `syncDir`. */
  openAppend(path: string, options?: OpenAppendOptions): Promise<WritableFile>;
  /** Cuts the file at `path` to `size` bytes (never extends). Durable after a sync of the file. */
  truncate(path: string, size: number): Promise<void>;
  /** Fsyncs the file at `path` without holding a handle open. */
  syncFile(path: string): Promise<void>;
  /** Atomically replaces `to` by `from`. Durable after `syncDir` of the parent. */
  rename(from: string, to: string): Promise<void>;
  /** Removes the file at `path`. Durable after `syncDir` of the parent. */
  unlink(path: string): Promise<void>;
  /** Makes the creations, renames and unlinks in `dir` durable (fsync of the directory). */
  syncDir(dir: string): Promise<void>;
}

/**
 * Joins path segments with `/`, dropping empty segments between separators.
 *
 * @public
 */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined.replace(/\/{2,}/g, '/');
}

/**
 * The directory part of `path` (everything before the last `/`; `'.'` when there is none).
 *
 * @public
 */
export function dirnameOf(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return trimmed.slice(0, i);
}

/** An error shaped like Node's file-system errors (`code`, `syscall`, `path`). @internal */
export function fsError(code: 'ENOENT' | 'EEXIST' | 'EISDIR' | 'ENOTDIR' | 'EBADF' | 'ENOTEMPTY', syscall: string, path: string): Error {
  const err = new Error(`${code}: ${syscall} '${path}'`) as Error & { code: string; syscall: string; path: string };
  err.code = code;
  err.syscall = syscall;
  err.path = path;
  return err;
}
