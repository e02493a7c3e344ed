import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('examples', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s runs to completion and prints what it shows', async (file) => {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { main: (log: (l: string) => void) => Promise<void> };
    const lines: string[] = [];
    await mod.main((l) => lines.push(l));
    expect(lines.length).toBeGreaterThan(0);
  });
});
