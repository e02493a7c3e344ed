/**
 * `npm run bench`: runs every benchmark under bench/ in turn and prints its figures.
 * Each bench file exports `main()`; pass names to run a subset (`npm run bench -- store`).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.includes(path.basename(f, '.ts')))
  .sort();

let failed = false;
for (const file of files) {
  process.stdout.write(`\n=== bench/${file}\n`);
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { main?: () => Promise<void> };
  if (typeof mod.main !== 'function') continue;
  try {
    await mod.main();
  } catch (err) {
    failed = true;
    process.stderr.write(`bench/${file} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
if (process.exitCode === 1) failed = true;
process.exit(failed ? 1 : 0);
