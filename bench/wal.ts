/**
 * Write-ahead log throughput on the real disk: 128-byte records appended in batches, one group
 * commit (one fsync) per batch, in a temporary directory. Prints records/s and fsyncs/s.
 * `npx tsx bench/wal.ts`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NodeFileSystem, WriteAheadLog } from '../src/raft/wal/index.js';

const RECORD_BYTES = 128;

async function run(batch: number, seconds: number): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'flotilla-wal-bench-'));
  try {
    const { wal } = await WriteAheadLog.open(new NodeFileSystem(), path.join(root, 'wal'));
    const payload = new Uint8Array(RECORD_BYTES).fill(7);
    const before = wal.stats.fsyncs;
    const start = performance.now();
    let next = 1;
    while (performance.now() - start < seconds * 1000) {
      const records = [];
      for (let i = 0; i < batch; i++) records.push({ index: next++, type: 1, payload });
      wal.append(records);
      await wal.sync();
    }
    const elapsed = (performance.now() - start) / 1000;
    const fsyncs = wal.stats.fsyncs - before;
    await wal.close();
    const line = `batch ${String(batch).padStart(5)}: ${Math.round((next - 1) / elapsed).toLocaleString('en-US').padStart(10)} records/s, ${Math.round(fsyncs / elapsed).toLocaleString('en-US').padStart(6)} fsyncs/s`;
    process.stdout.write(`${line}\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  process.stdout.write(`wal: ${RECORD_BYTES}-byte records, group commit on NodeFileSystem (${tmpdir()})\n`);
  for (const batch of [1, 16, 256, 4096]) await run(batch, 1.5);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
