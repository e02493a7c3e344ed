import type { ObjectKind } from '../errors/index.js';
import type { Labels, Node, Task } from '../api/index.js';
import type { AnyStoredObject, ObjectOf } from './types.js';

/** The object kinds, in the order tables are listed, encoded and snapshotted. @public */
export const OBJECT_KINDS: readonly ObjectKind[] = Object.freeze(['node', 'service', 'task', 'network', 'secret', 'config', 'cluster']);

/** The property of a transaction that holds each kind's table (`tx.services`, …). @public */
export interface TableNames {
  node: 'nodes';
  service: 'services';
  task: 'tasks';
  network: 'networks';
  secret: 'secrets';
  config: 'configs';
  cluster: 'clusters';
}

/** The table property name of kind `K`. @public */
export type TableName<K extends ObjectKind = ObjectKind> = TableNames[K];

/** Table property names by kind. @internal */
export const TABLE_NAMES: Readonly<TableNames> = Object.freeze({
  node: 'nodes',
  service: 'services',
  task: 'tasks',
  network: 'networks',
  secret: 'secrets',
  config: 'configs',
  cluster: 'clusters',
});

/**
 * One secondary index: the keys an object is filed under (several for labels, none when the
 * field is absent).
 *
 * @internal
 */
export interface IndexSpec {
  readonly field: string;
  keys(obj: AnyStoredObject): readonly string[];
  /** A cheap test that two versions of an object file under the same keys (may say false when unsure). */
  same(a: AnyStoredObject, b: AnyStoredObject): boolean;
  /**
   * For an index that files an object under at most one key: that key (`keys` as a single value,
   * so that keeping the index costs no arrays).
   */
  readonly key?: (obj: AnyStoredObject) => string | undefined;
}

/** How the store treats one kind of object. @internal */
export interface KindSpec {
  readonly kind: ObjectKind;
  /** Whether `name` must be unique (case-insensitively) within the table. */
  readonly uniqueNames: boolean;
  /** The object's name, if the kind has names. */
  readonly name: ((obj: AnyStoredObject) => string | undefined) | undefined;
  /** The secondary indexes, each addressable by a selector field of the same name. */
  readonly indexes: readonly IndexSpec[];
}

const NONE: readonly string[] = Object.freeze([]);
const SEP = '\u0000';

/** The index key of a label selector: `key` alone, or `key=value` (split at the first `=`). @internal */
export function labelKey(selector: string): string {
  const eq = selector.indexOf('=');
  return eq < 0 ? selector + SEP : selector.slice(0, eq) + SEP + selector.slice(eq + 1);
}

/** The index key of a task slot. @internal */
export function slotKey(serviceId: string, slot: number): string {
  return serviceId + SEP + String(slot);
}

/** Names are unique and looked up case-insensitively. @internal */
export function normalizeName(name: string): string {
  return name.toLowerCase();
}

function labelKeys(labels: Labels | undefined): readonly string[] {
  if (labels === undefined) return NONE;
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels)) out.push(k + SEP, k + SEP + v);
  return out;
}

function specName(obj: AnyStoredObject): string | undefined {
  return (obj as { spec?: { name?: unknown } }).spec?.name as string | undefined;
}

function nodeName(obj: AnyStoredObject): string | undefined {
  const node = obj as Node;
  return node.spec?.name ?? node.description?.hostname;
}

function specLabels(obj: AnyStoredObject): readonly string[] {
  return labelKeys((obj as { spec?: { labels?: Labels } }).spec?.labels);
}

function one(value: string | undefined): readonly string[] {
  return value === undefined ? NONE : [value];
}

function nameIndex(name: (obj: AnyStoredObject) => string | undefined): IndexSpec {
  return {
    field: 'name',
    keys: (obj) => {
      const n = name(obj);
      return typeof n === 'string' ? [normalizeName(n)] : NONE;
    },
    same: (a, b) => name(a) === name(b),
  };
}

/** An index on one string-valued property: filed under its value, or nowhere when unset. */
function fieldIndex(field: string, get: (obj: AnyStoredObject) => string | undefined): IndexSpec {
  return { field, keys: (obj) => one(get(obj)), same: (a, b) => get(a) === get(b), key: get };
}

const specOf = (obj: AnyStoredObject): { labels?: Labels } | undefined => (obj as { spec?: { labels?: Labels } }).spec;

/** Labels objects are immutable and shared between versions, so an unchanged object is the same object. */
const LABEL_INDEX: IndexSpec = { field: 'label', keys: specLabels, same: (a, b) => specOf(a)?.labels === specOf(b)?.labels };

function named(kind: ObjectKind): KindSpec {
  return { kind, uniqueNames: true, name: specName, indexes: [nameIndex(specName), LABEL_INDEX] };
}

const task = (obj: AnyStoredObject): Task => obj as Task;

/** Every kind's treatment. @internal */
export const KIND_SPECS: Readonly<Record<ObjectKind, KindSpec>> = Object.freeze({
  node: {
    kind: 'node',
    uniqueNames: false,
    name: nodeName,
    indexes: [
      nameIndex(nodeName),
      LABEL_INDEX,
      fieldIndex('role', (obj) => (obj as Node).role),
      fieldIndex('membership', (obj) => (obj as Node).spec?.membership),
    ],
  },
  service: named('service'),
  task: {
    kind: 'task',
    uniqueNames: false,
    name: undefined,
    indexes: [
      fieldIndex('serviceId', (obj) => task(obj).serviceId),
      fieldIndex('nodeId', (obj) => task(obj).nodeId),
      {
        field: 'slot',
        keys: (obj) => [slotKey(task(obj).serviceId, task(obj).slot)],
        same: (a, b) => task(a).serviceId === task(b).serviceId && task(a).slot === task(b).slot,
        key: (obj) => slotKey(task(obj).serviceId, task(obj).slot),
      },
      fieldIndex('desiredState', (obj) => task(obj).desiredState),
      fieldIndex('state', (obj) => task(obj).status?.state),
    ],
  },
  network: named('network'),
  secret: named('secret'),
  config: named('config'),
  cluster: named('cluster'),
});

/** True when `value` names an object kind. @internal */
export function isObjectKind(value: unknown): value is ObjectKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KIND_SPECS, value);
}

/** The name of `obj` under its kind's rules, if it has one. @internal */
export function objectName<K extends ObjectKind>(kind: K, obj: ObjectOf<K>): string | undefined {
  const name = KIND_SPECS[kind].name;
  return name === undefined ? undefined : name(obj);
}
