import type { Mount } from './specs.js';
import { Fields, compact, type Issues } from './validate-common.js';

const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'npipe'] as const;
const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;

function isNamedPipe(p: string): boolean {
  return /^(?:\\\\|\/\/)\.(?:\\|\/)pipe(?:\\|\/)./i.test(p);
}

function volumeOptions(issues: Issues, value: unknown, path: string): Mount['volumeOptions'] {
  const f = Fields.of(issues, value, path, ['driver', 'labels', 'noCopy']);
  if (f === undefined) return undefined;
  return compact({ driver: f.string('driver'), labels: f.record('labels'), noCopy: f.boolean('noCopy') });
}

function bindOptions(issues: Issues, value: unknown, path: string): Mount['bindOptions'] {
  const f = Fields.of(issues, value, path, ['propagation']);
  if (f === undefined) return undefined;
  return compact({ propagation: f.enumOf('propagation', PROPAGATIONS) });
}

function mount(issues: Issues, value: unknown, path: string, targets: Map<string, string>): Mount | undefined {
  const f = Fields.of(issues, value, path, ['type', 'source', 'target', 'readOnly', 'tmpfsSizeBytes', 'volumeOptions', 'bindOptions']);
  if (f === undefined) return undefined;
  const type = f.require('type') ? f.enumOf('type', MOUNT_TYPES) : undefined;
  let target = f.require('target') ? f.string('target') : undefined;
  const source = f.string('source');
  if (target !== undefined && type !== undefined) {
    if (type === 'npipe') {
      if (!isNamedPipe(target)) {
        issues.add(f.at('target'), 'must be a named pipe path (\\\\.\\pipe\\...)');
        target = undefined;
      }
    } else if (!target.startsWith('/')) {
      issues.add(f.at('target'), 'must be an absolute path');
      target = undefined;
    } else if (/^\/+$/.test(target)) {
      issues.add(f.at('target'), 'must not be /');
      target = undefined;
    }
  }
  if (target !== undefined) {
    const key = target.length > 1 ? target.replace(/\/+$/, '') : target;
    const first = targets.get(key);
    if (first !== undefined) issues.add(f.at('target'), `duplicates the mount point of ${first}`);
    else targets.set(key, path);
  }
  switch (type) {
    case 'bind':
      if (source === undefined) {
        if (!f.has('source')) issues.add(f.at('source'), 'is required for a bind mount');
      } else if (!source.startsWith('/')) {
        issues.add(f.at('source'), 'must be an absolute path for a bind mount');
      }
      break;
    case 'volume':
      if (source?.startsWith('/') === true) issues.add(f.at('source'), 'must be a volume name, not an absolute path');
      break;
    case 'tmpfs':
      if (f.has('source')) issues.add(f.at('source'), 'must not be set for a tmpfs mount');
      break;
    case 'npipe':
      if (source === undefined) {
        if (!f.has('source')) issues.add(f.at('source'), 'is required for a npipe mount');
      } else if (!isNamedPipe(source)) {
        issues.add(f.at('source'), 'must be a named pipe path (\\\\.\\pipe\\...)');
      }
      break;
    default:
      break;
  }
  const onlyFor = (key: string, wanted: Mount['type']): boolean => {
    if (!f.has(key) || type === undefined || type === wanted) return f.has(key);
    issues.add(f.at(key), `can only be used with a ${wanted} mount`);
    return false;
  };
  return compact<Mount>({
    type: type ?? 'volume',
    source,
    target: target ?? '',
    readOnly: f.boolean('readOnly'),
    tmpfsSizeBytes: onlyFor('tmpfsSizeBytes', 'tmpfs') ? f.integer('tmpfsSizeBytes', { min: 0 }) : undefined,
    volumeOptions: onlyFor('volumeOptions', 'volume') ? f.object('volumeOptions', (v, p) => volumeOptions(issues, v, p)) : undefined,
    bindOptions: onlyFor('bindOptions', 'bind') ? f.object('bindOptions', (v, p) => bindOptions(issues, v, p)) : undefined,
  });
}

/**
 * Validates a container's mounts as Docker and SwarmKit do: the target is an absolute path other
 * than `/` and appears once; a bind mount has an absolute source; a volume's source is a name, not
 * a path; a tmpfs mount has no source; a npipe mount uses named pipe paths; volume, bind and tmpfs
 * options appear only on their own mount type.
 *
 * @internal
 */
export function validateMounts(f: Fields, key: string): Mount[] | undefined {
  const targets = new Map<string, string>();
  return f.list(key, (v, p) => mount(f.issues, v, p, targets));
}
