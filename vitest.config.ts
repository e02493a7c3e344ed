import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (f: string) => fileURLToPath(new URL(`./src/${f}`, import.meta.url));

export default defineConfig({
  // Examples and tests import the package by name; run them against the sources, not dist/.
  resolve: {
    alias: [
      { find: /^flotilla\/testing$/, replacement: src('testing.ts') },
      { find: /^flotilla\/docker$/, replacement: src('docker.ts') },
      { find: /^flotilla$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
