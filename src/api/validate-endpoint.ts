import type { EndpointSpec, PortConfig } from './specs.js';
import { Fields, compact, type Issues } from './validate-common.js';

const MODES = ['vip', 'dnsrr'] as const;
const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
const PUBLISH_MODES = ['ingress', 'host'] as const;

function port(issues: Issues, value: unknown, path: string): PortConfig | undefined {
  const f = Fields.of(issues, value, path, ['name', 'protocol', 'targetPort', 'publishedPort', 'publishMode']);
  if (f === undefined) return undefined;
  const targetPort = f.require('targetPort') ? f.integer('targetPort', { min: 1, max: 65535 }) : undefined;
  return compact<PortConfig>({
    name: f.string('name', true),
    protocol: f.enumOf('protocol', PROTOCOLS) ?? 'tcp',
    targetPort: targetPort ?? 0,
    publishedPort: f.integer('publishedPort', { min: 0, max: 65535 }),
    publishMode: f.enumOf('publishMode', PUBLISH_MODES) ?? 'ingress',
  });
}

/**
 * Validates an endpoint spec and fills Docker's defaults (mode `vip`; each port's protocol `tcp`
 * and publish mode `ingress`). Ports: target 1..65535, published 0..65535 (0 or unset = pick one);
 * two ports may not publish the same (published port, protocol) pair; `dnsrr` cannot be combined
 * with ingress-mode ports, since the routing mesh needs a virtual IP (SwarmKit's rules).
 *
 * @internal
 */
export function validateEndpointSpec(issues: Issues, value: unknown, path: string): EndpointSpec {
  const f = value === undefined ? undefined : Fields.of(issues, value, path, ['mode', 'ports']);
  const mode = f?.enumOf('mode', MODES) ?? 'vip';
  const published = new Map<string, string>();
  const ports = f?.list('ports', (v, p) => {
    const cfg = port(issues, v, p);
    if (cfg === undefined) return undefined;
    if (mode === 'dnsrr' && cfg.publishMode === 'ingress') {
      issues.add(`${p}.publishMode`, 'ingress publish mode cannot be used with endpoint mode dnsrr (use host)');
    }
    if (cfg.publishedPort !== undefined && cfg.publishedPort > 0) {
      const key = `${cfg.publishedPort}/${String(cfg.protocol)}`;
      const first = published.get(key);
      if (first !== undefined) issues.add(`${p}.publishedPort`, `duplicates published port ${key} of ${first}`);
      else published.set(key, p);
    }
    return cfg;
  });
  return compact({ mode, ports });
}
