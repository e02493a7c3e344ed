import { InvalidConstraintError } from '../errors/index.js';
import { cidrContains, parseCidr, parseIp } from './ip.js';
import type { Node } from './objects.js';
import type { Labels } from './specs.js';

/** A placement constraint operator. @public */
export type ConstraintOperator = '==' | '!=';

/**
 * A parsed placement constraint, e.g. `node.labels.zone==a` →
 * `{ key: 'node.labels.zone', operator: '==', value: 'a' }`.
 *
 * @public
 */
export interface Constraint {
  /**
   * `node.id`, `node.hostname`, `node.ip`, `node.role`, `node.platform.os`, `node.platform.arch`
   * (always lower case), or `node.labels.<key>` / `engine.labels.<key>` (prefix lower case, label
   * key as written: label keys are case-sensitive).
   */
  readonly key: string;
  readonly operator: ConstraintOperator;
  /** The value, trimmed. */
  readonly value: string;
}

/**
 * What constraints are matched against: the facts of one node.
 *
 * @public
 */
export interface NodeFacts {
  readonly id: string;
  /** Empty when the node has not reported a description yet. */
  readonly hostname: string;
  /** The node's address as the managers see it, if known. */
  readonly ip?: string;
  readonly role: 'manager' | 'worker';
  /** e.g. `linux`; empty when unknown. */
  readonly os: string;
  /** e.g. `amd64`, `x86_64`; empty when unknown. */
  readonly arch: string;
  /** Labels an operator set on the node (`docker node update --label-add`). */
  readonly nodeLabels: Labels;
  /** Labels the node's engine reports. */
  readonly engineLabels: Labels;
}

/** The fixed (non-label) constraint keys. @public */
export const CONSTRAINT_KEYS: readonly string[] = Object.freeze([
  'node.id',
  'node.hostname',
  'node.ip',
  'node.role',
  'node.platform.os',
  'node.platform.arch',
]);

/** Prefix of constraint keys on node labels. @public */
export const NODE_LABEL_PREFIX = 'node.labels.';
/** Prefix of constraint keys on engine labels. @public */
export const ENGINE_LABEL_PREFIX = 'engine.labels.';

// SwarmKit's key and value character sets (manager/constraint). Values may not contain operator
// characters such as '=', '!', '<', '>' or '~', so current and future operators stay unambiguous.
const KEY_CHARS = /^[a-zA-Z_][a-zA-Z0-9_.-]+$/;
const VALUE_CHARS = /^[a-zA-Z0-9:\-_\s.*()?+[\]\\^$|/]+$/;
const UNSUPPORTED_OPERATORS = ['>=', '<=', '=~', '>', '<', '~'];

function fail(expression: string, reason: string, path: string): never {
  throw new InvalidConstraintError(expression, reason, path);
}

function normaliseKey(expression: string, rawKey: string, path: string): string {
  const lower = rawKey.toLowerCase();
  for (const prefix of [NODE_LABEL_PREFIX, ENGINE_LABEL_PREFIX]) {
    if (lower.startsWith(prefix)) {
      const label = rawKey.slice(prefix.length);
      if (label === '') fail(expression, `empty label key after "${prefix}"`, path);
      return prefix + label;
    }
  }
  if (CONSTRAINT_KEYS.includes(lower)) return lower;
  if (lower === 'node.labels' || lower === 'engine.labels') fail(expression, `empty label key after "${lower}."`, path);
  return fail(
    expression,
    `unknown key "${rawKey}" (expected node.id, node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, node.labels.<key> or engine.labels.<key>)`,
    path,
  );
}

/**
 * Parses one placement constraint, `<key> == <value>` or `<key> != <value>` (whitespace around
 * the operator allowed), with SwarmKit's syntax.
 *
 * @param expression - e.g. `node.role==manager`, `node.labels.zone != a`, `node.ip==10.0.0.0/8`
 * @param path - the field path to name in the error, if any
 * @throws {@link InvalidConstraintError} with the reason: no operator (`=`, `<`, …), missing key or
 * value, characters not allowed, unknown key, empty label key, a `node.ip` value that is neither an
 * IP address nor a CIDR subnet, or a `node.role` other than manager or worker
 * @example
 * ```ts
 * parseConstraint('node.labels.Zone == eu-1'); // { key: 'node.labels.Zone', operator: '==', value: 'eu-1' }
 * parseConstraint('Node.Role!=manager');       // { key: 'node.role', operator: '!=', value: 'manager' }
 * ```
 * @public
 */
export function parseConstraint(expression: string, path = ''): Constraint {
  if (typeof expression !== 'string') fail(String(expression), 'must be a string', path);
  const eq = expression.indexOf('==');
  const ne = expression.indexOf('!=');
  // SwarmKit tries '==' first, then '!='.
  const operator: ConstraintOperator | undefined = eq >= 0 ? '==' : ne >= 0 ? '!=' : undefined;
  if (operator === undefined) {
    const bad = UNSUPPORTED_OPERATORS.find((op) => expression.includes(op));
    if (bad !== undefined) fail(expression, `operator "${bad}" is not supported (use == or !=)`, path);
    if (expression.includes('=')) fail(expression, 'single "=" is not an operator (use == or !=)', path);
    fail(expression, 'expected one operator from ==, !=', path);
  }
  const at = operator === '==' ? eq : ne;
  const rawKey = expression.slice(0, at).trim();
  const value = expression.slice(at + 2).trim();
  if (rawKey === '') fail(expression, `missing key before "${operator}"`, path);
  if (value === '') fail(expression, `missing value after "${operator}"`, path);
  if (!KEY_CHARS.test(rawKey)) fail(expression, `key "${rawKey}" is invalid (letters, digits, "_", "." and "-", starting with a letter or "_")`, path);
  if (!VALUE_CHARS.test(value)) {
    fail(expression, `value "${value}" is invalid (letters, digits, whitespace and : - _ . * ( ) ? + [ ] \\ ^ $ | / only)`, path);
  }
  const key = normaliseKey(expression, rawKey, path);
  if (key === 'node.ip' && parseIp(value) === undefined && parseCidr(value) === undefined) {
    fail(expression, `node.ip value "${value}" is neither an IP address nor a CIDR subnet`, path);
  }
  if (key === 'node.role' && !['manager', 'worker'].includes(value.toLowerCase())) {
    fail(expression, `node.role value "${value}" must be manager or worker`, path);
  }
  return Object.freeze({ key, operator, value });
}

/**
 * Parses a list of constraints (all must hold). Stops at the first bad one; service validation
 * reports every bad one instead.
 *
 * @throws {@link InvalidConstraintError} naming the index of the bad expression in its path
 * @public
 */
export function parseConstraints(expressions: readonly string[], path = ''): readonly Constraint[] {
  return Object.freeze(expressions.map((e, i) => parseConstraint(e, `${path}[${i}]`)));
}

/**
 * Maps the architecture names nodes report to Docker's: `x86_64` → `amd64`, `aarch64` → `arm64`;
 * others are lower-cased and kept.
 *
 * @public
 */
export function normaliseArch(arch: string): string {
  const lower = arch.toLowerCase();
  if (lower === 'x86_64' || lower === 'x86-64') return 'amd64';
  if (lower === 'aarch64') return 'arm64';
  return lower;
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function equalsFact(c: Constraint, facts: NodeFacts): boolean {
  switch (c.key) {
    case 'node.id':
      return sameText(c.value, facts.id);
    case 'node.hostname':
      return sameText(c.value, facts.hostname);
    case 'node.role':
      return sameText(c.value, facts.role);
    case 'node.platform.os':
      return sameText(c.value, facts.os);
    case 'node.platform.arch':
      return normaliseArch(c.value) === normaliseArch(facts.arch);
    case 'node.ip': {
      const nodeIp = facts.ip === undefined ? undefined : parseIp(facts.ip);
      if (nodeIp === undefined) return false;
      const ip = parseIp(c.value);
      if (ip !== undefined) return ip.family === nodeIp.family && ip.value === nodeIp.value;
      const cidr = parseCidr(c.value);
      return cidr !== undefined && cidrContains(cidr, nodeIp);
    }
    default:
      break;
  }
  const labels = c.key.startsWith(NODE_LABEL_PREFIX) ? facts.nodeLabels : facts.engineLabels;
  const prefix = c.key.startsWith(NODE_LABEL_PREFIX) ? NODE_LABEL_PREFIX : ENGINE_LABEL_PREFIX;
  const label = c.key.slice(prefix.length);
  // A missing label compares as the empty string, as in SwarmKit: `==` fails, `!=` holds.
  const actual = Object.prototype.hasOwnProperty.call(labels, label) ? (labels[label] ?? '') : '';
  return sameText(c.value, actual);
}

/**
 * True when the node described by `facts` satisfies `constraint`.
 *
 * Comparison follows SwarmKit (`manager/constraint`): values compare case-insensitively for every
 * key (SwarmKit uses `strings.EqualFold` throughout, so `node.hostname==Web1` matches `web1`);
 * label keys are case-sensitive; a missing label or unknown fact compares as the empty string, so
 * `!=` holds on a node that lacks the label. `node.ip` takes an address (exact match, IPv4-mapped
 * IPv6 equal to IPv4) or a CIDR subnet (containment); a node without a known address matches only
 * `!=`. `node.platform.arch` normalises `x86_64` to `amd64` and `aarch64` to `arm64` on both sides.
 *
 * @example
 * ```ts
 * const c = parseConstraint('node.ip==10.0.0.0/8');
 * constraintMatches(c, { ...facts, ip: '10.1.2.3' }); // true
 * ```
 * @public
 */
export function constraintMatches(constraint: Constraint, facts: NodeFacts): boolean {
  const equal = equalsFact(constraint, facts);
  return constraint.operator === '==' ? equal : !equal;
}

/** True when the node satisfies every constraint (an empty list always matches). @public */
export function matchesConstraints(constraints: readonly Constraint[], facts: NodeFacts): boolean {
  return constraints.every((c) => constraintMatches(c, facts));
}

function hostOf(addr: string | undefined): string | undefined {
  if (addr === undefined || addr === '') return undefined;
  if (parseIp(addr) !== undefined) return addr;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(addr);
  if (bracketed !== null) return bracketed[1];
  const hostPort = /^([^:]+):\d+$/.exec(addr);
  if (hostPort !== null) return hostPort[1];
  return addr;
}

/**
 * The facts constraints see for `node`: its id, reported hostname and platform, the role it
 * currently has (not the desired one), its address (`status.addr`, with any port removed), the
 * labels set on its spec and the labels its engine reports.
 *
 * @public
 */
export function nodeFacts(node: Node): NodeFacts {
  const ip = hostOf(node.status.addr);
  return {
    id: node.id,
    hostname: node.description?.hostname ?? '',
    ...(ip === undefined ? {} : { ip }),
    role: node.role,
    os: node.description?.platform.os ?? '',
    arch: node.description?.platform.architecture ?? '',
    nodeLabels: node.spec.labels ?? {},
    engineLabels: node.description?.engine.labels ?? {},
  };
}
