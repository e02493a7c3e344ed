/** Longest repository name (domain and path) Docker accepts. @public */
export const MAX_IMAGE_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

function domainProblem(domain: string): string | undefined {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return 'malformed registry address';
    host = domain.slice(1, close);
    const rest = domain.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return 'malformed registry address';
      port = rest.slice(1);
    }
    if (!/^[0-9a-fA-F:.]+$/.test(host)) return 'malformed registry address';
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return 'malformed registry address';
  }
  if (port !== undefined && !PORT.test(port)) return 'malformed registry port';
  return undefined;
}

/**
 * Explains why `ref` is not a valid Docker image reference, or returns `undefined` when it is.
 *
 * The grammar is Docker's (`[registry[:port]/]path[:tag][@digest]`): path components are lowercase
 * letters and digits joined by `.`, `_`, `__` or dashes; a tag is up to 128 word characters, dots
 * and dashes; a digest is `algorithm:hex` with at least 32 hex digits; the name is at most 255
 * characters. The first component counts as a registry when it contains `.` or `:`, is
 * `localhost`, or has an uppercase letter, as Docker decides.
 *
 * @example
 * ```ts
 * imageReferenceProblem('nginx:1.27');          // undefined
 * imageReferenceProblem('Nginx');               // 'repository name must be lowercase'
 * imageReferenceProblem('registry:5000/app:v1'); // undefined
 * ```
 * @public
 */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref === '') return 'must not be empty';
  if (/\s/.test(ref)) return 'must not contain whitespace';
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return 'invalid digest (expected algorithm:hex with at least 32 hex digits)';
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const tagColon = rest.indexOf(':', lastSlash + 1);
  if (tagColon >= 0) {
    if (!TAG.test(rest.slice(tagColon + 1))) return 'invalid tag (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-")';
    rest = rest.slice(0, tagColon);
  }
  if (rest === '') return 'missing repository name';
  if (rest.length > MAX_IMAGE_NAME_LENGTH) return `repository name must be at most ${MAX_IMAGE_NAME_LENGTH} characters`;
  const parts = rest.split('/');
  const first = parts[0] as string;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    const problem = domainProblem(first);
    if (problem !== undefined) return problem;
    parts.shift();
  }
  for (const part of parts) {
    if (PATH_COMPONENT.test(part)) continue;
    if (PATH_COMPONENT.test(part.toLowerCase())) return 'repository name must be lowercase';
    return 'invalid repository name (lowercase letters and digits, separated by ".", "_", "__", "-" or "/")';
  }
  return undefined;
}
