import { describe, expect, it } from 'vitest';
import { safeValidateNetworkSpec, validateNetworkSpec, type NetworkSpec } from '../../src/api/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { isDeepFrozen } from './support/specs.js';

const issuesOf = (input: unknown) => {
  const r = safeValidateNetworkSpec(input);
  return r.ok ? [] : r.issues;
};
const withIpam = (...configs: unknown[]) => ({ name: 'appnet', ipam: { configs } });

describe('validateNetworkSpec', () => {
  it('fills the overlay driver, and the default IPAM driver when IPAM is given', () => {
    expect(validateNetworkSpec({ name: 'appnet' })).toStrictEqual({ name: 'appnet', driver: 'overlay' });
    expect(validateNetworkSpec(withIpam({ subnet: '10.1.0.0/24', gateway: '10.1.0.1' }) as NetworkSpec)).toStrictEqual({
      name: 'appnet',
      driver: 'overlay',
      ipam: { driver: 'default', configs: [{ subnet: '10.1.0.0/24', gateway: '10.1.0.1' }] },
    });
  });

  it('returns a new deep-frozen spec and leaves the input alone', () => {
    const input = { name: 'appnet', labels: { a: 'b' }, ipam: { configs: [{ subnet: 'fd00:1::/64', range: 'fd00:1::/80', auxAddresses: { router: 'fd00:1::fe' } }] } };
    const before = structuredClone(input);
    const out = validateNetworkSpec(input);
    expect(input).toStrictEqual(before);
    expect(isDeepFrozen(out)).toBe(true);
    expect(out.ipam?.configs).not.toBe(input.ipam.configs);
  });

  it.each([
    ['a name is required', {}, 'name', 'is required'],
    ['the name follows the service rule', { name: 'app.net' }, 'name', 'must be valid as a DNS name component: letters, digits, "-" and "_", starting and ending with a letter or digit'],
    ['the driver is not empty', { name: 'n', driver: '' }, 'driver', 'must not be empty'],
    ['a subnet is in CIDR form', withIpam({ subnet: '10.1.0.0' }), 'ipam.configs[0].subnet', 'must be a subnet in CIDR form, e.g. 10.0.1.0/24'],
    ['a subnet is a network address', withIpam({ subnet: '10.1.0.1/24' }), 'ipam.configs[0].subnet', 'must be a network address: did you mean 10.1.0.0/24?'],
    ['the gateway is an IP', withIpam({ subnet: '10.1.0.0/24', gateway: 'router' }), 'ipam.configs[0].gateway', 'must be an IP address'],
    ['the gateway is inside the subnet', withIpam({ subnet: '10.1.0.0/24', gateway: '10.2.0.1' }), 'ipam.configs[0].gateway', 'must be inside the subnet 10.1.0.0/24'],
    ['an IPv4 gateway is not in an IPv6 subnet', withIpam({ subnet: 'fd00::/64', gateway: '10.0.0.1' }), 'ipam.configs[0].gateway', 'must be inside the subnet fd00::/64'],
    ['the range is inside the subnet', withIpam({ subnet: '10.1.0.0/24', range: '10.1.0.0/16' }), 'ipam.configs[0].range', 'must be inside the subnet 10.1.0.0/24'],
    ['a gateway needs a subnet', withIpam({ gateway: '10.1.0.1' }), 'ipam.configs[0].subnet', 'is required when range, gateway or auxAddresses is set'],
    ['aux addresses are inside the subnet', withIpam({ subnet: '10.1.0.0/24', auxAddresses: { db: '10.9.0.1' } }), 'ipam.configs[0].auxAddresses.db', 'must be inside the subnet 10.1.0.0/24'],
    ['subnets do not overlap', withIpam({ subnet: '10.1.0.0/16' }, { subnet: '10.1.2.0/24' }), 'ipam.configs[1].subnet', 'overlaps ipam.configs[0].subnet'],
    ['the ingress network is overlay', { name: 'ingress', ingress: true, driver: 'bridge' }, 'driver', 'must be overlay for the ingress network'],
    ['the ingress network is not attachable', { name: 'ingress', ingress: true, attachable: true }, 'attachable', 'the ingress network cannot be attachable'],
    ['the predefined label is reserved', { name: 'n', labels: { 'com.docker.swarm.predefined': 'true' } }, 'labels.com.docker.swarm.predefined', 'is reserved for predefined networks'],
    ['unknown fields are issues', { name: 'n', scope: 'swarm' }, 'scope', 'unknown field'],
    ['flags are booleans', { name: 'n', internal: 'yes' }, 'internal', 'must be a boolean'],
  ])('%s', (_rule, input, path, message) => {
    expect(issuesOf(input)).toEqual([{ path, message }]);
  });

  it('throws one ValidationError with every issue', () => {
    expect(() => validateNetworkSpec({ name: 'a.b', attachable: 1, ipam: { configs: [{ subnet: 'x' }] } } as unknown as NetworkSpec)).toThrow(
      expect.objectContaining({
        constructor: ValidationError,
        issues: [
          { path: 'name', message: 'must be valid as a DNS name component: letters, digits, "-" and "_", starting and ending with a letter or digit' },
          { path: 'attachable', message: 'must be a boolean' },
          { path: 'ipam.configs[0].subnet', message: 'must be a subnet in CIDR form, e.g. 10.0.1.0/24' },
        ],
      }),
    );
  });
});
