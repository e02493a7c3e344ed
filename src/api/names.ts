import { asString, type Issues } from './validate-common.js';

/** Longest service, network or cluster name SwarmKit accepts. @public */
export const MAX_OBJECT_NAME_LENGTH = 63;

/** Longest secret or config name SwarmKit accepts. @public */
export const MAX_SECRET_NAME_LENGTH = 64;

// SwarmKit's controlapi checks `^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`. That pattern nests two
// quantifiers over the same characters and backtracks exponentially on a near miss, so we use the
// equivalent, unambiguous form: runs of letters and digits joined by runs of '-' and '_'.
const DNS_COMPONENT = /^[a-zA-Z0-9]+(?:[-_]+[a-zA-Z0-9]+)*$/;

// SwarmKit's rule for secret and config names: letters, digits, '-', '_' and '.', starting and
// ending with a letter or a digit.
const SECRET_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?$/;

/**
 * True when `name` is a valid service or network name. The rule is SwarmKit's (controlapi's
 * `validateAnnotations`), stricter than Docker's general `[a-zA-Z0-9][a-zA-Z0-9_.-]*` because a
 * service name becomes a DNS name on its networks: 1 to 63 characters, letters, digits, `-` and
 * `_` only (no `.`), starting and ending with a letter or a digit.
 *
 * @example
 * ```ts
 * isValidServiceName('web_1');  // true
 * isValidServiceName('web.1');  // false: dots are not allowed
 * isValidServiceName('-web');   // false
 * ```
 * @public
 */
export function isValidServiceName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_OBJECT_NAME_LENGTH && DNS_COMPONENT.test(name);
}

/**
 * True when `name` is a valid secret or config name (SwarmKit's rule): 1 to 64 characters,
 * letters, digits, `-`, `_` and `.`, starting and ending with a letter or a digit.
 *
 * @public
 */
export function isValidSecretName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_SECRET_NAME_LENGTH && SECRET_NAME.test(name);
}

/** Message for a name that breaks the service/network rule. @internal */
export const DNS_NAME_MESSAGE = 'must be valid as a DNS name component: letters, digits, "-" and "_", starting and ending with a letter or digit';

/** Message for a name that breaks the secret/config rule. @internal */
export const SECRET_NAME_MESSAGE = 'must contain only letters, digits, "-", "_" and ".", starting and ending with a letter or digit';

function checkName(issues: Issues, value: unknown, path: string, max: number, pattern: RegExp, message: string): string | undefined {
  if (value === undefined || value === null) {
    issues.add(path, 'is required');
    return undefined;
  }
  const name = asString(issues, value, path);
  if (name === undefined) return undefined;
  let ok = true;
  if (name.length > max) {
    issues.add(path, `must be at most ${max} characters`);
    ok = false;
  }
  if (!pattern.test(name)) {
    issues.add(path, message);
    ok = false;
  }
  return ok ? name : undefined;
}

/** Checks a service, network or cluster name (see {@link isValidServiceName}). @internal */
export function checkObjectName(issues: Issues, value: unknown, path: string): string | undefined {
  return checkName(issues, value, path, MAX_OBJECT_NAME_LENGTH, DNS_COMPONENT, DNS_NAME_MESSAGE);
}

/** Checks a secret or config name (see {@link isValidSecretName}). @internal */
export function checkSecretName(issues: Issues, value: unknown, path: string): string | undefined {
  return checkName(issues, value, path, MAX_SECRET_NAME_LENGTH, SECRET_NAME, SECRET_NAME_MESSAGE);
}
