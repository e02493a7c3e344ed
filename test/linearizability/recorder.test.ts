import { describe, expect, it } from 'vitest';
import { Random } from '../../src/runtime/index.js';
import {
  HISTORY_FORMAT,
  HistoryError,
  HistoryRecorder,
  checkLinearizable,
  generateLinearizableHistory,
  historyFromJSON,
  historyToJSON,
  kvModel,
} from '../support/linearizability/index.js';
import type { Operation } from '../support/linearizability/index.js';

/** A hand-driven clock for the recorder. */
function clock(start = 0) {
  let t = start;
  return { now: () => t, set: (to: number) => void (t = to) };
}

describe('HistoryRecorder', () => {
  it('records invocations and outcomes with times from now()', () => {
    const c = clock();
    const rec = new HistoryRecorder({ now: c.now });
    const a = rec.invoke('c1', 'write', 'x', 5);
    c.set(3);
    const b = rec.invoke('c2', 'read', 'x');
    c.set(4);
    rec.ok(a);
    c.set(7);
    rec.ok(b, 5);
    const ops = rec.history();
    expect(ops).toEqual([
      { id: a, client: 'c1', key: 'x', kind: 'write', input: 5, call: 0, return: 4, status: 'ok', callSeq: 0, returnSeq: 2 },
      { id: b, client: 'c2', key: 'x', kind: 'read', input: undefined, output: 5, call: 3, return: 7, status: 'ok', callSeq: 1, returnSeq: 3 },
    ]);
    expect(checkLinearizable(ops, kvModel()).result).toBe('ok');
  });

  it('records failures and unknown outcomes, and reports still-pending operations as info', () => {
    const c = clock();
    const rec = new HistoryRecorder({ now: c.now });
    const a = rec.invoke(1, 'write', 'x', 1);
    const b = rec.invoke(2, 'write', 'x', 2);
    const d = rec.invoke(3, 'write', 'x', 3);
    c.set(10);
    rec.fail(a, new Error('not leader'));
    rec.info(b, 'timeout');
    expect(rec.pending()).toEqual([d]);
    const byId = new Map(rec.history().map((o) => [o.id, o]));
    expect(byId.get(a)).toMatchObject({ status: 'fail', error: 'not leader', return: 10 });
    expect(byId.get(b)).toMatchObject({ status: 'info', error: 'timeout' });
    expect(byId.get(d)).toMatchObject({ status: 'info', error: 'pending', return: undefined });
  });

  it('rejects harness mistakes: double completion, unknown ids, a busy client, time going backwards, too many operations', () => {
    const c = clock(5);
    const rec = new HistoryRecorder({ now: c.now, maxOperations: 2 });
    const a = rec.invoke('c1', 'read', 'x');
    expect(() => rec.invoke('c1', 'read', 'x')).toThrow(/outstanding/);
    rec.ok(a, null);
    expect(() => rec.ok(a, null)).toThrow(/already completed/);
    expect(() => rec.info(99)).toThrow(/unknown operation/);
    c.set(4);
    expect(() => rec.invoke('c2', 'read', 'x')).toThrow(/backwards/);
    c.set(6);
    rec.invoke('c2', 'read', 'x');
    expect(() => rec.invoke('c3', 'read', 'x')).toThrow(/more than 2/);
  });

  it('keeps the real order of events in the same tick, so a stale read in one tick is caught', () => {
    const c = clock(5);
    const rec = new HistoryRecorder({ now: c.now });
    const w = rec.invoke('c1', 'write', 'x', 1);
    rec.ok(w);
    const r = rec.invoke('c1', 'read', 'x');
    rec.ok(r, null); // read after the write returned, in the same tick: stale
    const ops = rec.history();
    expect(checkLinearizable(ops, kvModel()).result).toBe('illegal');
    // Without the sequence numbers, events at one instant are taken as concurrent.
    const bare: Operation[] = ops.map(({ callSeq: _c, returnSeq: _r, ...rest }) => rest);
    expect(checkLinearizable(bare, kvModel()).result).toBe('ok');
  });
});

describe('JSON export and replay', () => {
  it('round-trips a recorded history through JSON text with the same verdict', () => {
    const c = clock();
    const rec = new HistoryRecorder({ now: c.now });
    const a = rec.invoke('c1', 'write', 'x', 'v1');
    c.set(1);
    const b = rec.invoke('c2', 'cas', 'x', { from: 'v1', to: 'v2' });
    c.set(2);
    rec.ok(a);
    const d = rec.invoke('c1', 'read', 'x');
    c.set(3);
    rec.info(b, 'timeout');
    rec.ok(d, 'v2');
    rec.invoke('c3', 'write', 'y', null); // left pending

    const text = JSON.stringify(rec);
    const parsed: unknown = JSON.parse(text);
    expect(parsed).toMatchObject({ format: HISTORY_FORMAT, version: 1 });
    const restored = HistoryRecorder.fromJSON(text);
    expect(restored.history()).toEqual(rec.history());
    expect(checkLinearizable(restored.history(), kvModel())).toEqual(checkLinearizable(rec.history(), kvModel()));
  });

  it('round-trips generated histories exactly', () => {
    const ops = generateLinearizableHistory(Random.fromSeed('json'), { operations: 300, clients: 4, keys: ['a', 'b'] });
    const back = historyFromJSON(JSON.stringify(historyToJSON(ops)));
    expect(back).toEqual(ops);
  });

  it('lets a restored recorder carry on with fresh ids and sequence numbers', () => {
    const c = clock();
    const rec = new HistoryRecorder({ now: c.now });
    rec.ok(rec.invoke('c1', 'write', 'x', 1));
    c.set(10);
    const more = HistoryRecorder.fromJSON(rec.toJSON(), { now: c.now });
    const id = more.invoke('c1', 'read', 'x');
    more.ok(id, 1);
    expect(id).toBe(1);
    expect(more.history()[1]).toMatchObject({ callSeq: 2, returnSeq: 3 });
    expect(() => HistoryRecorder.fromJSON(rec.toJSON()).invoke('c9', 'read', 'x')).toThrow(/without a clock/);
  });

  it('rejects malformed JSON with the issues listed', () => {
    expect(() => historyFromJSON({ format: 'other', version: 1, operations: [] })).toThrow(HistoryError);
    expect(() => historyFromJSON({ format: HISTORY_FORMAT, version: 2, operations: [] })).toThrow(/version/);
    const bad = {
      format: HISTORY_FORMAT,
      version: 1,
      operations: [
        { id: 0, client: 'a', key: 'x', kind: 'write', input: 1, call: 5, return: 4, status: 'ok' },
        { id: 0, client: 'a', key: 'x', kind: 'scan', call: 1, status: 'ok' },
      ],
    };
    try {
      historyFromJSON(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HistoryError);
      const messages = (e as HistoryError).issues.map((i) => `${i.index}: ${i.message}`);
      expect(messages).toEqual(
        expect.arrayContaining(['0: returns (4) before it is called (5)', '1: duplicate id 0', '1: unknown kind scan', '1: an ok operation needs a finite return time']),
      );
    }
  });

  it('is checked before searching: a malformed history throws rather than returning a verdict', () => {
    const op: Operation = { id: 0, client: 1, key: 'x', kind: 'read', input: undefined, output: null, call: 3, return: 1, status: 'ok' };
    expect(() => checkLinearizable([op], kvModel())).toThrow(HistoryError);
  });
});
