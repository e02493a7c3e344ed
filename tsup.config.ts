import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', docker: 'src/docker.ts' },
  // dockerode is an optional peer dependency, loaded only by `flotilla/docker`: never bundle it.
  external: ['dockerode'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});
