import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { FileSystem, OpenAppendOptions, WritableFile } from './file-system.js';

/**
 * {@link FileSystem} on `node:fs/promises`: the real disk.
 *
 * Platform caveats:
 * - Directory fsync opens the directory read-only and calls `fsync` on it. That is what Linux and
 *   the BSDs need to make a creation, rename or unlink durable. Windows cannot open a directory
 *   this way; there `syncDir` is a no-op (NTFS journals metadata itself), which weakens the
 *   guarantee after power loss.
 * - On macOS `fsync` flushes to the drive but not through the drive's own cache (that takes
 *   `F_FULLFSYNC`, which Node does not expose), so a power cut may still lose "synced" data.
 * - `WritableFile.sync` uses `fsync`, not `fdatasync`, so the file size is flushed with the data.
 * - Durability also depends on the drive honouring flushes; consumer drives with volatile write
 *   caches and no power-loss protection may not.
 *
 * @public
 */
export class NodeFileSystem implements FileSystem {
  async mkdirp(dir: string): Promise<void> {
    await fsp.mkdir(dir, { recursive: true });
  }

  async readdir(dir: string): Promise<string[]> {
    const names = await fsp.readdir(dir);
    return names.sort();
  }

  async exists(path: string): Promise<boolean> {
    try {
      await fsp.stat(path);
      return true;
    } catch (err) {
      if (isCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async size(path: string): Promise<number> {
    return (await fsp.stat(path)).size;
  }

  async readFile(path: string): Promise<Uint8Array> {
    const buf = await fsp.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  async openAppend(path: string, options?: OpenAppendOptions): Promise<WritableFile> {
    const handle = await fsp.open(path, options?.truncate === true ? 'w' : 'a');
    return new NodeWritableFile(path, handle);
  }

  async truncate(path: string, size: number): Promise<void> {
    const current = await this.size(path);
    if (size < current) await fsp.truncate(path, size);
  }

  async syncFile(path: string): Promise<void> {
    const handle = await fsp.open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await fsp.rename(from, to);
  }

  async unlink(path: string): Promise<void> {
    await fsp.unlink(path);
  }

  async syncDir(dir: string): Promise<void> {
    if (process.platform === 'win32') return;
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

class NodeWritableFile implements WritableFile {
  readonly path: string;
  private readonly handle: FileHandle;

  constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.handle = handle;
  }

  async append(data: Uint8Array): Promise<void> {
    let offset = 0;
    // A write may be short; loop until every byte is handed to the kernel.
    while (offset < data.length) {
      const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
  }

  async sync(): Promise<void> {
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
