import { describe, expect, it } from 'vitest';
import {
  constraintMatches,
  matchesConstraints,
  nodeFacts,
  normaliseArch,
  parseConstraint,
  parseConstraints,
  type Node,
  type NodeFacts,
} from '../../src/api/index.js';
import { InvalidConstraintError } from '../../src/errors/index.js';

describe('parseConstraint', () => {
  it.each([
    ['node.role==manager', { key: 'node.role', operator: '==', value: 'manager' }],
    ['node.role != worker', { key: 'node.role', operator: '!=', value: 'worker' }],
    ['  Node.Hostname  ==  web-1  ', { key: 'node.hostname', operator: '==', value: 'web-1' }],
    ['NODE.ID==abc123', { key: 'node.id', operator: '==', value: 'abc123' }],
    ['node.ip==10.0.0.5', { key: 'node.ip', operator: '==', value: '10.0.0.5' }],
    ['node.ip!=192.168.0.0/16', { key: 'node.ip', operator: '!=', value: '192.168.0.0/16' }],
    ['node.ip==2001:db8::/32', { key: 'node.ip', operator: '==', value: '2001:db8::/32' }],
    ['node.platform.os==linux', { key: 'node.platform.os', operator: '==', value: 'linux' }],
    ['node.platform.arch==x86_64', { key: 'node.platform.arch', operator: '==', value: 'x86_64' }],
    ['node.labels.Zone==eu west', { key: 'node.labels.Zone', operator: '==', value: 'eu west' }],
    ['Node.Labels.com.example.rack!=r1', { key: 'node.labels.com.example.rack', operator: '!=', value: 'r1' }],
    ['engine.labels.storage==ssd', { key: 'engine.labels.storage', operator: '==', value: 'ssd' }],
    ['node.labels.path==/var/lib', { key: 'node.labels.path', operator: '==', value: '/var/lib' }],
  ])('parses %j, lower-casing fixed keys and label prefixes but not label keys', (expr, expected) => {
    expect(parseConstraint(expr)).toStrictEqual(expected);
  });

  it.each([
    ['node.role=manager', 'single "=" is not an operator (use == or !=)'],
    ['node.labels.cpu>4', 'operator ">" is not supported (use == or !=)'],
    ['node.labels.cpu<4', 'operator "<" is not supported (use == or !=)'],
    ['node.labels.cpu>=4', 'operator ">=" is not supported (use == or !=)'],
    ['node.role', 'expected one operator from ==, !='],
    ['', 'expected one operator from ==, !='],
    ['node.role==', 'missing value after "=="'],
    ['node.role!=   ', 'missing value after "!="'],
    ['==manager', 'missing key before "=="'],
    ['node.zone==a', 'unknown key "node.zone" (expected node.id, node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, node.labels.<key> or engine.labels.<key>)'],
    ['node.labels.==a', 'empty label key after "node.labels."'],
    ['engine.labels.==a', 'empty label key after "engine.labels."'],
    ['node.labels==a', 'empty label key after "node.labels."'],
    ['node labels.zone==a', 'key "node labels.zone" is invalid (letters, digits, "_", "." and "-", starting with a letter or "_")'],
    ['node.labels.zone==a=b', 'value "a=b" is invalid (letters, digits, whitespace and : - _ . * ( ) ? + [ ] \\ ^ $ | / only)'],
    ['node.labels.zone==a!=b', 'value "a!=b" is invalid (letters, digits, whitespace and : - _ . * ( ) ? + [ ] \\ ^ $ | / only)'],
    ['node.ip==not-an-ip', 'node.ip value "not-an-ip" is neither an IP address nor a CIDR subnet'],
    ['node.ip==10.0.0.0/33', 'node.ip value "10.0.0.0/33" is neither an IP address nor a CIDR subnet'],
    ['node.role==leader', 'node.role value "leader" must be manager or worker'],
  ])('rejects %j with the reason', (expr, reason) => {
    let caught: unknown;
    try {
      parseConstraint(expr, 'task.placement.constraints[0]');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidConstraintError);
    const err = caught as InvalidConstraintError;
    expect(err.code).toBe('INVALID_CONSTRAINT');
    expect(err.expression).toBe(expr);
    expect(err.issues).toEqual([{ path: 'task.placement.constraints[0]', message: `invalid constraint ${JSON.stringify(expr)}: ${reason}` }]);
  });

  it('accepts node.role values in any case', () => {
    expect(parseConstraint('node.role==Manager').value).toBe('Manager');
  });

  it('parseConstraints parses a list and names the index of a bad entry', () => {
    expect(parseConstraints(['node.role==worker', 'node.labels.a!=b'])).toStrictEqual([
      { key: 'node.role', operator: '==', value: 'worker' },
      { key: 'node.labels.a', operator: '!=', value: 'b' },
    ]);
    expect(() => parseConstraints(['node.role==worker', 'bad'], 'c')).toThrow(
      expect.objectContaining({ issues: [{ path: 'c[1]', message: 'invalid constraint "bad": expected one operator from ==, !=' }] }),
    );
  });
});

const FACTS: NodeFacts = {
  id: 'k2x9a7c1m0q8w3e5r6t4y2u1i',
  hostname: 'web-1',
  ip: '10.1.2.3',
  role: 'worker',
  os: 'linux',
  arch: 'x86_64',
  nodeLabels: { zone: 'eu-1', Rack: 'R7' },
  engineLabels: { storage: 'ssd' },
};

const matches = (expr: string, facts: Partial<NodeFacts> = {}): boolean => constraintMatches(parseConstraint(expr), { ...FACTS, ...facts });

describe('constraintMatches', () => {
  it.each([
    ['node.id==k2x9a7c1m0q8w3e5r6t4y2u1i', true],
    ['node.id!=k2x9a7c1m0q8w3e5r6t4y2u1i', false],
    ['node.id==other', false],
    ['node.hostname==web-1', true],
    ['node.hostname!=web-2', true],
    ['node.role==worker', true],
    ['node.role==manager', false],
    ['node.role!=manager', true],
    ['node.platform.os==linux', true],
    ['node.platform.os==windows', false],
    ['node.labels.zone==eu-1', true],
    ['node.labels.zone!=eu-1', false],
    ['node.labels.zone==eu-2', false],
    ['engine.labels.storage==ssd', true],
    ['engine.labels.storage!=ssd', false],
  ])('%s → %s', (expr, expected) => {
    expect(matches(expr)).toBe(expected);
  });

  it('compares values case-insensitively for every key, as SwarmKit (strings.EqualFold) does', () => {
    expect(matches('node.role==WORKER')).toBe(true);
    expect(matches('node.hostname==WEB-1')).toBe(true);
    expect(matches('node.id==K2X9A7C1M0Q8W3E5R6T4Y2U1I')).toBe(true);
    expect(matches('node.labels.zone==EU-1')).toBe(true);
    expect(matches('node.labels.Rack==r7')).toBe(true);
    expect(matches('node.platform.os==Linux')).toBe(true);
  });

  it('treats label keys as case-sensitive: a differently cased key is a missing label', () => {
    expect(matches('node.labels.rack==R7')).toBe(false);
    expect(matches('node.labels.rack!=R7')).toBe(true);
    expect(matches('node.labels.Rack==R7')).toBe(true);
  });

  it('compares a missing label as empty: == fails and != holds', () => {
    expect(matches('node.labels.gpu==yes')).toBe(false);
    expect(matches('node.labels.gpu!=yes')).toBe(true);
    expect(matches('engine.labels.gpu==yes', { engineLabels: {} })).toBe(false);
  });

  it('does not treat inherited object properties as labels', () => {
    expect(matches('node.labels.constructor==x')).toBe(false);
    expect(matches('node.labels.toString!=x')).toBe(true);
  });

  it('matches node.ip against an address or a CIDR subnet', () => {
    expect(matches('node.ip==10.1.2.3')).toBe(true);
    expect(matches('node.ip==10.1.2.4')).toBe(false);
    expect(matches('node.ip==10.0.0.0/8')).toBe(true);
    expect(matches('node.ip==10.1.2.0/24')).toBe(true);
    expect(matches('node.ip==10.1.3.0/24')).toBe(false);
    expect(matches('node.ip!=192.168.0.0/16')).toBe(true);
    expect(matches('node.ip!=10.0.0.0/8')).toBe(false);
    expect(matches('node.ip==10.1.2.99/24')).toBe(true);
    expect(matches('node.ip==0.0.0.0/0')).toBe(true);
  });

  it('matches IPv6 addresses and subnets, and IPv4-mapped IPv6 as IPv4', () => {
    expect(matches('node.ip==2001:db8::/32', { ip: '2001:db8:1::7' })).toBe(true);
    expect(matches('node.ip==2001:db9::/32', { ip: '2001:db8:1::7' })).toBe(false);
    expect(matches('node.ip==2001:DB8:0:0:0:0:0:1', { ip: '2001:db8::1' })).toBe(true);
    expect(matches('node.ip==10.1.2.3', { ip: '::ffff:10.1.2.3' })).toBe(true);
    expect(matches('node.ip==10.0.0.0/8', { ip: '::ffff:10.1.2.3' })).toBe(true);
    expect(matches('node.ip==10.0.0.0/8', { ip: '2001:db8::1' })).toBe(false);
  });

  it('a node without a known address matches only !=', () => {
    const { ip: _ip, ...noIp } = FACTS;
    expect(constraintMatches(parseConstraint('node.ip==10.0.0.0/8'), noIp)).toBe(false);
    expect(constraintMatches(parseConstraint('node.ip!=10.0.0.0/8'), noIp)).toBe(true);
    expect(matches('node.ip==10.1.2.3', { ip: 'garbage' })).toBe(false);
  });

  it('normalises x86_64 to amd64 and aarch64 to arm64 on both sides', () => {
    expect(matches('node.platform.arch==amd64', { arch: 'x86_64' })).toBe(true);
    expect(matches('node.platform.arch==x86_64', { arch: 'amd64' })).toBe(true);
    expect(matches('node.platform.arch==arm64', { arch: 'aarch64' })).toBe(true);
    expect(matches('node.platform.arch==aarch64', { arch: 'arm64' })).toBe(true);
    expect(matches('node.platform.arch!=arm64', { arch: 'aarch64' })).toBe(false);
    expect(matches('node.platform.arch==arm64', { arch: 'amd64' })).toBe(false);
    expect(normaliseArch('X86_64')).toBe('amd64');
    expect(normaliseArch('riscv64')).toBe('riscv64');
  });
});

describe('matchesConstraints', () => {
  it('requires every constraint to hold; an empty list always matches', () => {
    expect(matchesConstraints([], FACTS)).toBe(true);
    expect(matchesConstraints(parseConstraints(['node.role==worker', 'node.labels.zone==eu-1']), FACTS)).toBe(true);
    expect(matchesConstraints(parseConstraints(['node.role==worker', 'node.labels.zone==eu-2']), FACTS)).toBe(false);
  });
});

describe('nodeFacts', () => {
  const node = (over: Partial<Node> = {}): Node => ({
    id: 'n1',
    meta: { version: 1, createdAt: 0, updatedAt: 0 },
    spec: { role: 'manager', membership: 'accepted', availability: 'active', labels: { zone: 'a' } },
    role: 'worker',
    description: {
      hostname: 'host-1',
      platform: { os: 'linux', architecture: 'aarch64' },
      resources: { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
      engine: { version: '27.0.0', labels: { disk: 'ssd' } },
    },
    status: { state: 'ready', addr: '192.168.1.10' },
    ...over,
  });

  it('reads the id, hostname, current role, platform, address and both label sets', () => {
    expect(nodeFacts(node())).toStrictEqual({
      id: 'n1',
      hostname: 'host-1',
      ip: '192.168.1.10',
      role: 'worker',
      os: 'linux',
      arch: 'aarch64',
      nodeLabels: { zone: 'a' },
      engineLabels: { disk: 'ssd' },
    });
  });

  it('strips a port from the address and tolerates a node that has not described itself', () => {
    expect(nodeFacts(node({ status: { state: 'ready', addr: '10.0.0.2:2377' } })).ip).toBe('10.0.0.2');
    expect(nodeFacts(node({ status: { state: 'ready', addr: '[fd00::2]:2377' } })).ip).toBe('fd00::2');
    const bare = nodeFacts(node({ description: undefined, status: { state: 'unknown' }, spec: { role: 'worker', membership: 'accepted', availability: 'active' } }));
    expect(bare).toStrictEqual({ id: 'n1', hostname: '', role: 'worker', os: '', arch: '', nodeLabels: {}, engineLabels: {} });
    expect(matchesConstraints(parseConstraints(['node.hostname!=host-1', 'node.labels.zone!=a', 'node.ip!=10.0.0.0/8']), bare)).toBe(true);
  });

  it('feeds constraint matching end to end', () => {
    const facts = nodeFacts(node());
    expect(matchesConstraints(parseConstraints(['node.platform.arch==arm64', 'node.ip==192.168.0.0/16', 'engine.labels.disk==ssd', 'node.role==worker']), facts)).toBe(true);
  });
});
