import type { Labels, NodeDescription } from '../../api/index.js';
import type { EngineInfo } from './engine.js';

/** What the executor's options may override in the description. @internal */
export interface DescribeOverrides {
  readonly hostname?: string;
  readonly engineLabels?: Labels;
}

/**
 * A node description from `docker info` (and the engine version from `docker version`).
 *
 * The platform is reported as Docker reports it (`OSType`, and `Architecture` such as `x86_64`
 * or `aarch64`), as the SimulatedExecutor does by default; the scheduler normalises architecture
 * names when it matches platforms. Capacity: `NCPU` CPUs as nano CPUs (1e9 each) and `MemTotal`
 * bytes. Engine labels come from the daemon's `Labels` (`key=value` strings), then `overrides`.
 *
 * @internal
 */
export function nodeDescription(info: EngineInfo, version: string | undefined, overrides: DescribeOverrides = {}): NodeDescription {
  const labels = { ...parseEngineLabels(info.Labels ?? []), ...overrides.engineLabels };
  return {
    hostname: overrides.hostname ?? info.Name ?? '',
    platform: { os: info.OSType ?? 'linux', architecture: info.Architecture ?? '' },
    resources: { nanoCpus: (info.NCPU ?? 0) * 1e9, memoryBytes: info.MemTotal ?? 0 },
    engine: { version: version ?? info.ServerVersion ?? '', ...(Object.keys(labels).length > 0 ? { labels } : {}) },
  };
}

/** Docker's `["key=value", "flag"]` daemon labels as a record (`flag` maps to `''`). @internal */
export function parseEngineLabels(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq === 0) continue;
    if (eq < 0) out[entry] = '';
    else out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}
