/**
 * An IP address as a number: 32 bits for IPv4, 128 for IPv6. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`) are read as IPv4, as Go's `net.IP` compares them.
 *
 * @public
 */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/**
 * A subnet in CIDR form. `address` is the address as written; `network` has the host bits cleared.
 *
 * @public
 */
export interface Cidr {
  readonly family: 4 | 6;
  readonly address: bigint;
  readonly network: bigint;
  readonly prefix: number;
}

const IPV4_OCTET = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const out: bigint[] = [];
  for (const g of text.split(':')) {
    if (!HEX_GROUP.test(g)) return undefined;
    out.push(BigInt(`0x${g}`));
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  let body = text;
  // An embedded IPv4 address may end the text (`::ffff:10.0.0.1`): rewrite it as two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    body = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  let groups: bigint[];
  if (halves.length === 2) {
    const left = parseGroups(halves[0] as string);
    const right = parseGroups(halves[1] as string);
    if (left === undefined || right === undefined) return undefined;
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array.from({ length: missing }, () => 0n), ...right];
  } else {
    const all = parseGroups(body);
    if (all === undefined || all.length !== 8) return undefined;
    groups = all;
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

const V4_MAPPED_PREFIX = 0xffffn << 32n;

/**
 * Parses a dotted IPv4 address (no leading zeros) or an IPv6 address (with `::` and an optional
 * embedded IPv4 tail; no zone). Returns `undefined` for anything else.
 *
 * @example
 * ```ts
 * parseIp('10.0.0.1');  // { family: 4, value: 167772161n }
 * parseIp('::1');       // { family: 6, value: 1n }
 * ```
 * @public
 */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 === undefined) return undefined;
    if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 - V4_MAPPED_PREFIX };
    return { family: 6, value: v6 };
  }
  const v4 = parseIpv4(text);
  return v4 === undefined ? undefined : { family: 4, value: v4 };
}

/**
 * Parses `address/prefix`, e.g. `10.0.0.0/24` or `fd00::/64`. Returns `undefined` when either part
 * is malformed or the prefix is too long for the family.
 *
 * @public
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  // A mapped address keeps its IPv6 width here: `::ffff:0:0/96` is an IPv6 subnet.
  const raw = addrText.includes(':') ? parseIpv6(addrText) : parseIpv4(addrText);
  if (raw === undefined) return undefined;
  const family: 4 | 6 = addrText.includes(':') ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const network = (raw >> hostBits) << hostBits;
  return { family, address: raw, network, prefix };
}

/** True when `ip` lies inside `cidr`. @public */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  let family = ip.family;
  let value = ip.value;
  if (cidr.family === 6 && family === 4) {
    family = 6;
    value = ip.value + V4_MAPPED_PREFIX;
  }
  if (family !== cidr.family) return false;
  const hostBits = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
  return value >> hostBits === cidr.network >> hostBits;
}

/** True when the two subnets share at least one address. @public */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const hostBits = BigInt(bits - Math.min(a.prefix, b.prefix));
  return a.network >> hostBits === b.network >> hostBits;
}

/** Formats a {@link Cidr}'s network address back to text (`10.0.0.0/24`, `fd00::/64`). @public */
export function formatCidrNetwork(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.network })}/${cidr.prefix}`;
}

/** Formats an address: dotted quad, or IPv6 with the longest run of zero groups as `::`. @public */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => (ip.value >> BigInt((7 - i) * 16)) & 0xffffn);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0n) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0n) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
