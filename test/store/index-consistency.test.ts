import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TaskState } from '../../src/api/index.js';
import type { AnyStoredObject, ReadTx, Store, WriteTx } from '../../src/store/index.js';
import { DeferredProposer, newStore, node, service, task } from './fixtures.js';

/**
 * Random transactions against the store and against a plain model; after every step every find
 * must equal a brute-force scan of the model, inside transactions (overlay) and after commit.
 */

type Kind = 'task' | 'node' | 'service';
type Model = Map<string, AnyStoredObject>; // key: kind/id

const IDS = ['a1', 'a2', 'b1', 'b2', 'c1'];
const NAMES = ['web', 'WEB', 'web2', 'db', 'Db-1'];
const NODES = ['n1', 'n2', ''];
const SERVICES = ['s1', 's2'];
const STATES: TaskState[] = ['new', 'pending', 'running', 'failed'];
const LABELS = [undefined, { zone: 'a' }, { zone: 'b' }, { zone: 'a', ssd: 'yes' }];

type Op =
  | { op: 'createTask'; id: string; serviceId: string; nodeId: string; slot: number; state: TaskState; desired: TaskState }
  | { op: 'moveTask'; id: string; nodeId: string; state: TaskState; slot: number }
  | { op: 'createNode'; id: string; hostname: string; name?: string; role: 'manager' | 'worker'; labels?: Record<string, string> }
  | { op: 'relabelNode'; id: string; labels?: Record<string, string>; name?: string }
  | { op: 'createService'; id: string; name: string; labels?: Record<string, string> }
  | { op: 'renameService'; id: string; name: string }
  | { op: 'delete'; kind: Kind; id: string }
  | { op: 'find' }
  | { op: 'abort' };


const writeArb = fc.oneof(
  fc.record({
    op: fc.constant('createTask' as const),
    id: fc.constantFrom(...IDS),
    serviceId: fc.constantFrom(...SERVICES),
    nodeId: fc.constantFrom(...NODES),
    slot: fc.integer({ min: 0, max: 2 }),
    state: fc.constantFrom(...STATES),
    desired: fc.constantFrom(...STATES),
  }),
  fc.record({ op: fc.constant('moveTask' as const), id: fc.constantFrom(...IDS), nodeId: fc.constantFrom(...NODES), state: fc.constantFrom(...STATES), slot: fc.integer({ min: 0, max: 2 }) }),
  fc.record(
    { op: fc.constant('createNode' as const), id: fc.constantFrom(...IDS), hostname: fc.constantFrom(...NAMES), name: fc.constantFrom(...NAMES), role: fc.constantFrom('manager' as const, 'worker' as const), labels: fc.constantFrom(...LABELS) },
    { requiredKeys: ['op', 'id', 'hostname', 'role'] },
  ),
  fc.record({ op: fc.constant('relabelNode' as const), id: fc.constantFrom(...IDS), labels: fc.constantFrom(...LABELS), name: fc.constantFrom(...NAMES) }, { requiredKeys: ['op', 'id'] }),
  fc.record({ op: fc.constant('createService' as const), id: fc.constantFrom(...IDS), name: fc.constantFrom(...NAMES), labels: fc.constantFrom(...LABELS) }, { requiredKeys: ['op', 'id', 'name'] }),
  fc.record({ op: fc.constant('renameService' as const), id: fc.constantFrom(...IDS), name: fc.constantFrom(...NAMES) }),
  fc.record({ op: fc.constant('delete' as const), kind: fc.constantFrom<Kind>('task', 'node', 'service'), id: fc.constantFrom(...IDS) }),
  fc.constant({ op: 'find' as const }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof({ arbitrary: writeArb as fc.Arbitrary<Op>, weight: 30 }, { arbitrary: fc.constant({ op: 'abort' as const }), weight: 1 });

const selectorArb = fc.oneof(
  fc.record(
    {
      kind: fc.constant('task' as const),
      id: fc.constantFrom(...IDS),
      idPrefix: fc.constantFrom('a', 'b', ''),
      serviceId: fc.constantFrom(...SERVICES),
      nodeId: fc.constantFrom(...NODES),
      desiredState: fc.constantFrom(...STATES),
      state: fc.constantFrom(...STATES),
    },
    { requiredKeys: ['kind'] },
  ),
  fc.record({ kind: fc.constant('task' as const), serviceId: fc.constantFrom(...SERVICES), slot: fc.integer({ min: 0, max: 2 }) }),
  fc.record(
    { kind: fc.constant('node' as const), name: fc.constantFrom(...NAMES), namePrefix: fc.constantFrom('w', 'D', 'web'), role: fc.constantFrom('manager' as const, 'worker' as const), label: fc.constantFrom('zone', 'zone=a', 'ssd=yes', 'ssd=no') },
    { requiredKeys: ['kind'] },
  ),
  fc.record(
    { kind: fc.constant('service' as const), name: fc.constantFrom(...NAMES), namePrefix: fc.constantFrom('w', 'D', 'web'), label: fc.constantFrom('zone', 'zone=b'), idPrefix: fc.constantFrom('a', 'c') },
    { requiredKeys: ['kind'] },
  ),
);

/** The reference: a plain scan with its own reading of every selector field. */
function scan(model: Model, kind: Kind, sel: Record<string, unknown>): string[] {
  const lower = (s: unknown) => String(s).toLowerCase();
  const out: string[] = [];
  for (const [key, obj] of model) {
    if (!key.startsWith(kind + '/')) continue;
    const o = obj as unknown as Record<string, unknown> & { spec: { name?: string; labels?: Record<string, string>; membership?: string }; status: { state: string }; description?: { hostname: string } };
    const name = kind === 'node' ? (o.spec.name ?? o.description?.hostname) : kind === 'service' ? o.spec.name : undefined;
    const ok = Object.entries(sel).every(([field, want]) => {
      switch (field) {
        case 'kind':
          return true;
        case 'id':
          return o.id === want;
        case 'idPrefix':
          return String(o.id).startsWith(String(want));
        case 'name':
          return name !== undefined && lower(name) === lower(want);
        case 'namePrefix':
          return name !== undefined && lower(name).startsWith(lower(want));
        case 'label': {
          const [k, v] = String(want).split('=');
          const labels = o.spec.labels ?? {};
          return Object.prototype.hasOwnProperty.call(labels, k as string) && (v === undefined || labels[k as string] === v);
        }
        case 'state':
          return o.status.state === want;
        default:
          return o[field] === want;
      }
    });
    if (ok) out.push(String(o.id));
  }
  return out.sort();
}

function findIds(tx: ReadTx, kind: Kind, sel: Record<string, unknown>): string[] {
  const { kind: _k, ...rest } = sel;
  return tx.table(kind).find(rest as never).map((o) => o.id).sort();
}

class Abort extends Error {}

function apply(tx: WriteTx, model: Model, op: Op): void {
  switch (op.op) {
    case 'createTask': {
      const t = tx.tasks.create(task(op.id, op.serviceId, op.nodeId, op.slot, op.state, op.desired));
      model.set(`task/${op.id}`, t);
      return;
    }
    case 'moveTask': {
      const t = tx.tasks.update(op.id, (d) => {
        d.nodeId = op.nodeId;
        d.status.state = op.state;
        d.slot = op.slot;
      });
      model.set(`task/${op.id}`, t);
      return;
    }
    case 'createNode': {
      const n = tx.nodes.create(node(op.id, op.hostname, { role: op.role, ...(op.name !== undefined ? { name: op.name } : {}), ...(op.labels ? { labels: op.labels } : {}) }));
      model.set(`node/${op.id}`, n);
      return;
    }
    case 'relabelNode': {
      const n = tx.nodes.update(op.id, (d) => {
        if (op.labels === undefined) delete d.spec.labels;
        else d.spec.labels = { ...op.labels };
        if (op.name === undefined) delete d.spec.name;
        else d.spec.name = op.name;
      });
      model.set(`node/${op.id}`, n);
      return;
    }
    case 'createService': {
      model.set(`service/${op.id}`, tx.services.create(service(op.id, op.name, op.labels)));
      return;
    }
    case 'renameService': {
      model.set(`service/${op.id}`, tx.services.update(op.id, (d) => void (d.spec.name = op.name)));
      return;
    }
    case 'delete':
      tx.table(op.kind).delete(op.id);
      model.delete(`${op.kind}/${op.id}`);
      return;
    case 'find':
      return;
    case 'abort':
      throw new Abort();
  }
}

async function run(store: Store, txs: Op[][], selectors: Record<string, unknown>[], commit?: () => void): Promise<void> {
  let model: Model = new Map();
  const check = (tx: ReadTx, m: Model) => {
    for (const sel of selectors) {
      const kind = sel.kind as Kind;
      expect(findIds(tx, kind, sel), JSON.stringify(sel)).toEqual(scan(m, kind, sel));
    }
  };
  for (const ops of txs) {
    const staged = new Map(model);
    const p = store.update((tx) => {
      for (const op of ops) {
        try {
          apply(tx, staged, op);
        } catch (err) {
          // A refused write has no effect, and the transaction may go on.
          if (err instanceof Abort) throw err;
          expect((err as { code?: string }).code).toMatch(/^(NOT_FOUND|ALREADY_EXISTS|NAME_CONFLICT)$/);
        }
        if (op.op === 'find') check(tx, staged);
      }
    });
    commit?.();
    try {
      await p;
      model = staged;
    } catch (err) {
      // A deliberate abort (or, behind a proposer, a name taken in between): nothing changes.
      if (!(err instanceof Abort)) expect((err as { code?: string }).code).toBe('NAME_CONFLICT');
    }
    store.view((tx) => check(tx, model));
  }
}

describe('index consistency', () => {
  it('answers every find exactly as a scan would, after any sequence of transactions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 8 }), { minLength: 5, maxLength: 30 }), fc.array(selectorArb, { minLength: 4, maxLength: 8 }), async (txs, selectors) => {
        const { store } = newStore();
        await run(store, txs, selectors);
      }),
      { numRuns: 150 },
    );
  });

  it('also when transactions are applied later, through a proposer, at skipping indexes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 8 }), { minLength: 5, maxLength: 20 }), fc.array(selectorArb, { minLength: 4, maxLength: 8 }), async (txs, selectors) => {
        const proposer = new DeferredProposer();
        const { store } = newStore({ proposer });
        await run(store, txs, selectors, () => proposer.commitAll());
      }),
      { numRuns: 60 },
    );
  });
});
