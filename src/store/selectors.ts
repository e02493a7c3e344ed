import { ValidationError, type ObjectKind } from '../errors/index.js';
import type { NodeMembership, NodeRole, TaskState } from '../api/index.js';
import { KIND_SPECS, labelKey, normalizeName, slotKey, type IndexSpec, type KindSpec } from './kinds.js';
import type { AnyStoredObject } from './types.js';

/** Selector fields every kind supports. @public */
export interface IdSelector {
  /** Exactly this id. */
  readonly id?: string;
  /** Ids starting with this prefix (as `docker service ps 3fa` resolves ids). */
  readonly idPrefix?: string;
}

/** Selector fields of kinds with names. Names match case-insensitively. @public */
export interface NameSelector {
  /** Exactly this name, case-insensitively. */
  readonly name?: string;
  /** Names starting with this prefix, case-insensitively. */
  readonly namePrefix?: string;
}

/** Selector field of kinds whose spec has labels. @public */
export interface LabelSelector {
  /** `key` (the label is present) or `key=value` (split at the first `=`). */
  readonly label?: string;
}

/** Selects nodes. A node's name is `spec.name`, else its hostname; names need not be unique. @public */
export interface NodeSelector extends IdSelector, NameSelector, LabelSelector {
  /** The node's current role. */
  readonly role?: NodeRole;
  /** `spec.membership`. */
  readonly membership?: NodeMembership;
}

/** Selects tasks. @public */
export interface TaskSelector extends IdSelector {
  readonly serviceId?: string;
  /** The assigned node; `''` selects tasks not yet assigned. */
  readonly nodeId?: string;
  /** A slot of the service given by `serviceId` (which is then required). */
  readonly slot?: number;
  readonly desiredState?: TaskState;
  /** `status.state`. */
  readonly state?: TaskState;
}

/** Selects services, networks, secrets, configs or clusters. @public */
export interface NamedObjectSelector extends IdSelector, NameSelector, LabelSelector {}

/**
 * The selector type of each kind. All fields given must hold (AND); an empty selector selects
 * everything. Every field except the prefixes is answered from a hash index, and the smallest
 * matching index bucket is the only thing scanned.
 *
 * @public
 */
export interface KindSelectors {
  node: NodeSelector;
  service: NamedObjectSelector;
  task: TaskSelector;
  network: NamedObjectSelector;
  secret: NamedObjectSelector;
  config: NamedObjectSelector;
  cluster: NamedObjectSelector;
}

/** The selector type of kind `K`. @public */
export type SelectorOf<K extends ObjectKind> = KindSelectors[K];

/** A selector ready to run: index probes plus what must be filtered. @internal */
export interface CompiledSelector {
  readonly id: string | undefined;
  readonly idPrefix: string | undefined;
  /** Normalised. */
  readonly namePrefix: string | undefined;
  readonly probes: readonly { readonly index: IndexSpec; readonly key: string }[];
}

const COMMON_FIELDS = new Set(['id', 'idPrefix']);
const NAMED_FIELDS = new Set(['name', 'namePrefix']);

function invalid(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }]);
}

function str(sel: Record<string, unknown>, field: string): string | undefined {
  const v = sel[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(field, 'must be a string');
  return v;
}

/** Checks a selector against its kind and turns it into index probes. @internal */
export function compileSelector(spec: KindSpec, selector: object): CompiledSelector {
  const sel = selector as Record<string, unknown>;
  const probes: { index: IndexSpec; key: string }[] = [];
  let namePrefix: string | undefined;
  for (const field of Object.keys(sel)) {
    const value = sel[field];
    if (value === undefined || COMMON_FIELDS.has(field)) continue;
    if (NAMED_FIELDS.has(field) && spec.name === undefined) throw invalid(field, `${spec.kind}s have no name`);
    if (field === 'namePrefix') {
      namePrefix = normalizeName(str(sel, field) as string);
      continue;
    }
    const index = spec.indexes.find((i) => i.field === field);
    if (index === undefined) throw invalid(field, `not a selector field of ${spec.kind}`);
    let key: string;
    if (field === 'slot') {
      const serviceId = str(sel, 'serviceId');
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(field, 'must be an integer');
      if (serviceId === undefined) throw invalid(field, 'a slot selector needs serviceId');
      key = slotKey(serviceId, value);
    } else {
      const s = str(sel, field) as string;
      key = field === 'name' ? normalizeName(s) : field === 'label' ? labelKey(s) : s;
    }
    probes.push({ index, key });
  }
  return { id: str(sel, 'id'), idPrefix: str(sel, 'idPrefix'), namePrefix, probes };
}

/** Compiles a selector of `kind`. @internal */
export function compileFor(kind: ObjectKind, selector: object): CompiledSelector {
  return compileSelector(KIND_SPECS[kind], selector);
}

/** Whether `obj` satisfies every part of the selector. @internal */
export function selectorMatches(spec: KindSpec, sel: CompiledSelector, obj: AnyStoredObject): boolean {
  if (sel.id !== undefined && obj.id !== sel.id) return false;
  if (sel.idPrefix !== undefined && !obj.id.startsWith(sel.idPrefix)) return false;
  if (sel.namePrefix !== undefined) {
    const name = spec.name?.(obj);
    if (typeof name !== 'string' || !normalizeName(name).startsWith(sel.namePrefix)) return false;
  }
  for (const probe of sel.probes) {
    if (!probe.index.keys(obj).includes(probe.key)) return false;
  }
  return true;
}
