import { deepFreeze } from './deep-freeze.js';
import { DEFAULT_IPAM_DRIVER, DEFAULT_NETWORK_DRIVER } from './defaults.js';
import { cidrContains, cidrsOverlap, formatCidrNetwork, parseCidr, parseIp, type Cidr } from './ip.js';
import { checkObjectName } from './names.js';
import type { IpamConfig, NetworkSpec } from './specs.js';
import { Fields, compact, fieldPath, runValidation, unwrap, type Issues, type ValidationResult } from './validate-common.js';

/** Label Docker reserves for its predefined networks; user networks may not carry it. @public */
export const PREDEFINED_NETWORK_LABEL = 'com.docker.swarm.predefined';

const NETWORK_FIELDS = ['name', 'labels', 'driver', 'driverOpts', 'ipv6', 'internal', 'attachable', 'ingress', 'ipam'];

interface SeenSubnet {
  readonly cidr: Cidr;
  readonly path: string;
}

function readCidr(issues: Issues, text: string | undefined, path: string): Cidr | undefined {
  if (text === undefined) return undefined;
  const cidr = parseCidr(text);
  if (cidr === undefined) issues.add(path, 'must be a subnet in CIDR form, e.g. 10.0.1.0/24');
  return cidr;
}

function readAddressIn(issues: Issues, value: unknown, path: string, subnet: Cidr | undefined, subnetText: string): string | undefined {
  if (typeof value !== 'string') {
    issues.add(path, 'must be a string');
    return undefined;
  }
  const ip = parseIp(value);
  if (ip === undefined) {
    issues.add(path, 'must be an IP address');
    return undefined;
  }
  if (subnet !== undefined && !cidrContains(subnet, ip)) {
    issues.add(path, `must be inside the subnet ${subnetText}`);
    return undefined;
  }
  return value;
}

function ipamConfig(issues: Issues, value: unknown, path: string, seen: SeenSubnet[]): IpamConfig | undefined {
  const f = Fields.of(issues, value, path, ['subnet', 'range', 'gateway', 'auxAddresses']);
  if (f === undefined) return undefined;
  const subnetText = f.string('subnet');
  const rangeText = f.string('range');
  let subnet = readCidr(issues, subnetText, f.at('subnet'));
  if (subnet !== undefined && subnet.address !== subnet.network) {
    issues.add(f.at('subnet'), `must be a network address: did you mean ${formatCidrNetwork(subnet)}?`);
    subnet = undefined;
  }
  if (subnet !== undefined) {
    const clash = seen.find((s) => cidrsOverlap(s.cidr, subnet as Cidr));
    if (clash !== undefined) issues.add(f.at('subnet'), `overlaps ${clash.path}.subnet`);
    else seen.push({ cidr: subnet, path });
  }
  if (!f.has('subnet') && (f.has('range') || f.has('gateway') || f.has('auxAddresses'))) {
    issues.add(f.at('subnet'), 'is required when range, gateway or auxAddresses is set');
  }
  const range = readCidr(issues, rangeText, f.at('range'));
  if (range !== undefined && subnet !== undefined && (range.family !== subnet.family || range.prefix < subnet.prefix || !cidrContains(subnet, { family: range.family, value: range.network }))) {
    issues.add(f.at('range'), `must be inside the subnet ${String(subnetText)}`);
  }
  const gateway = f.object('gateway', (v, p) => readAddressIn(issues, v, p, subnet, String(subnetText)));
  const aux = f.record('auxAddresses');
  if (aux !== undefined) {
    for (const [host, addr] of Object.entries(aux)) readAddressIn(issues, addr, fieldPath(f.at('auxAddresses'), host), subnet, String(subnetText));
  }
  return compact({ subnet: subnetText, range: rangeText, gateway, auxAddresses: aux });
}

function ipam(issues: Issues, value: unknown, path: string): NetworkSpec['ipam'] {
  const f = Fields.of(issues, value, path, ['driver', 'configs']);
  if (f === undefined) return undefined;
  const seen: SeenSubnet[] = [];
  return compact({
    driver: f.string('driver') ?? DEFAULT_IPAM_DRIVER,
    configs: f.list('configs', (v, p) => ipamConfig(issues, v, p, seen)),
  });
}

function checkNetwork(issues: Issues, input: unknown): NetworkSpec | undefined {
  const f = Fields.of(issues, input, '', NETWORK_FIELDS);
  if (f === undefined) return undefined;
  const name = checkObjectName(issues, f.get('name'), 'name');
  const labels = f.record('labels');
  if (labels !== undefined && Object.prototype.hasOwnProperty.call(labels, PREDEFINED_NETWORK_LABEL)) {
    issues.add(fieldPath('labels', PREDEFINED_NETWORK_LABEL), 'is reserved for predefined networks');
  }
  const driver = f.string('driver') ?? DEFAULT_NETWORK_DRIVER;
  const ingress = f.boolean('ingress');
  const attachable = f.boolean('attachable');
  if (ingress === true && driver !== 'overlay') issues.add('driver', 'must be overlay for the ingress network');
  if (ingress === true && attachable === true) issues.add('attachable', 'the ingress network cannot be attachable');
  const spec = compact<NetworkSpec>({
    name: name ?? '',
    labels,
    driver,
    driverOpts: f.record('driverOpts'),
    ipv6: f.boolean('ipv6'),
    internal: f.boolean('internal'),
    attachable,
    ingress,
    ipam: f.object('ipam', (v, p) => ipam(issues, v, p)),
  });
  return name === undefined ? undefined : spec;
}

/** Validates a network spec without throwing (see {@link validateNetworkSpec}). @public */
export function safeValidateNetworkSpec(input: unknown): ValidationResult<NetworkSpec> {
  return runValidation((issues) => {
    const spec = checkNetwork(issues, input);
    return spec === undefined ? undefined : deepFreeze(spec);
  });
}

/**
 * Validates a network spec and returns a new, deep-frozen one with the defaults filled (driver
 * `overlay`; IPAM driver `default` when an IPAM section is given).
 *
 * Rules: the name follows the service-name rule (SwarmKit validates network names the same way);
 * each IPAM subnet is in CIDR form, is a network address (`10.0.0.0/24`, not `10.0.0.1/24`) and
 * does not overlap another; range, gateway and auxiliary addresses need a subnet and lie inside
 * it; the ingress network uses the overlay driver and is not attachable; the
 * `com.docker.swarm.predefined` label is reserved.
 *
 * @throws ValidationError listing every issue found
 * @example
 * ```ts
 * validateNetworkSpec({ name: 'appnet', ipam: { configs: [{ subnet: '10.1.0.0/24', gateway: '10.1.0.1' }] } });
 * ```
 * @public
 */
export function validateNetworkSpec(input: NetworkSpec): NetworkSpec {
  return unwrap(safeValidateNetworkSpec(input));
}
