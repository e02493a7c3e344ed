import { DEFAULT_FILE_MODE } from './defaults.js';
import type { FileReference } from './specs.js';
import { Fields, compact, fieldPath, type Issues } from './validate-common.js';

const NUMERIC_ID = /^\d+$/;

function fileTarget(issues: Issues, value: unknown, path: string): FileReference['file'] | undefined {
  const f = Fields.of(issues, value, path, ['name', 'uid', 'gid', 'mode']);
  if (f === undefined) return undefined;
  const name = f.string('name');
  const ids: Record<'uid' | 'gid', string | undefined> = { uid: undefined, gid: undefined };
  for (const key of ['uid', 'gid'] as const) {
    const id = f.string(key);
    if (id !== undefined && !NUMERIC_ID.test(id)) issues.add(f.at(key), 'must be a numeric id');
    else ids[key] = id;
  }
  const mode = f.has('mode') ? f.integer('mode', { min: 0, max: 0o777 }) : undefined;
  return compact({ name, uid: ids.uid, gid: ids.gid, mode });
}

function reference(issues: Issues, value: unknown, path: string, what: 'secret' | 'config', targets: Map<string, string>): FileReference | undefined {
  const f = Fields.of(issues, value, path, ['name', 'id', 'file']);
  if (f === undefined) return undefined;
  const name = f.require('name') ? f.string('name') : undefined;
  const id = f.string('id');
  const file = f.object('file', (v, p) => fileTarget(issues, v, p));
  if (name === undefined) return undefined;
  const targetName = file?.name ?? name;
  const first = targets.get(targetName);
  if (first !== undefined) {
    issues.add(fieldPath(path, 'file.name'), `target "${targetName}" is already used by ${what} reference ${first}`);
  } else {
    targets.set(targetName, path);
  }
  return compact({
    name,
    id,
    file: { name: targetName, uid: file?.uid ?? '0', gid: file?.gid ?? '0', mode: file?.mode ?? DEFAULT_FILE_MODE },
  });
}

/**
 * Validates secret or config references: each names its object and has a target file name that no
 * other reference of the same kind uses. Fills Docker CLI's defaults: target file name = the
 * object's name, uid and gid `'0'`, mode `0o444`.
 *
 * @internal
 */
export function validateFileReferences(f: Fields, key: 'secrets' | 'configs'): FileReference[] | undefined {
  const targets = new Map<string, string>();
  const what = key === 'secrets' ? 'secret' : 'config';
  return f.list(key, (v, p) => reference(f.issues, v, p, what, targets));
}
