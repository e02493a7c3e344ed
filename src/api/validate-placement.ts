import { InvalidConstraintError } from '../errors/index.js';
import { ENGINE_LABEL_PREFIX, NODE_LABEL_PREFIX, parseConstraint } from './constraints.js';
import type { Placement, Platform } from './specs.js';
import { Fields, asString, compact, type Issues } from './validate-common.js';

function constraint(issues: Issues, value: unknown, path: string): string | undefined {
  const expr = asString(issues, value, path);
  if (expr === undefined) return undefined;
  try {
    parseConstraint(expr, path);
    return expr;
  } catch (err) {
    if (!(err instanceof InvalidConstraintError)) throw err;
    for (const issue of err.issues) issues.add(issue.path, issue.message);
    return undefined;
  }
}

function preference(issues: Issues, value: unknown, path: string): { readonly spread: string } | undefined {
  const f = Fields.of(issues, value, path, ['spread']);
  if (f === undefined) return undefined;
  if (!f.require('spread')) return undefined;
  const spread = f.string('spread');
  if (spread === undefined) return undefined;
  const lower = spread.toLowerCase();
  const prefix = [NODE_LABEL_PREFIX, ENGINE_LABEL_PREFIX].find((p) => lower.startsWith(p) && spread.length > p.length);
  if (prefix === undefined) {
    issues.add(f.at('spread'), 'must be node.labels.<key> or engine.labels.<key>');
    return undefined;
  }
  return { spread };
}

function platform(issues: Issues, value: unknown, path: string): Platform | undefined {
  const f = Fields.of(issues, value, path, ['os', 'architecture']);
  if (f === undefined) return undefined;
  return compact({ os: f.string('os', true), architecture: f.string('architecture', true) });
}

/**
 * Validates placement: every constraint parses (see `parseConstraint`; each bad one is an issue at
 * its own index), each preference spreads over `node.labels.<key>` or `engine.labels.<key>`,
 * `maxReplicas` is an integer >= 0, platforms have string `os` and `architecture`.
 *
 * @internal
 */
export function validatePlacement(issues: Issues, value: unknown, path: string): Placement | undefined {
  const f = Fields.of(issues, value, path, ['constraints', 'preferences', 'maxReplicas', 'platforms']);
  if (f === undefined) return undefined;
  return compact({
    constraints: f.list('constraints', (v, p) => constraint(issues, v, p)),
    preferences: f.list('preferences', (v, p) => preference(issues, v, p)),
    maxReplicas: f.integer('maxReplicas', { min: 0 }),
    platforms: f.list('platforms', (v, p) => platform(issues, v, p)),
  });
}
