import { HistoryError, validateHistory } from './history.js';
import type { ClientId, History, HistoryIssue, OpKind, OpStatus, Operation } from './history.js';

/** The `format` tag of an exported history. */
export const HISTORY_FORMAT = 'flotilla.linearizability.history';
/** The version of the exported shape; bump when it changes incompatibly. */
export const HISTORY_VERSION = 1;

/**
 * One operation as JSON. Absent values are omitted rather than `null`: `output` when nothing was
 * returned, `return` while pending or for `info`, the sequence numbers when not recorded.
 */
export interface OperationJSON {
  id: number;
  client: ClientId;
  key: string;
  kind: OpKind;
  input?: unknown;
  output?: unknown;
  call: number;
  return?: number;
  status: OpStatus;
  callSeq?: number;
  returnSeq?: number;
  error?: string;
}

/**
 * An exported history:
 * `{ "format": "flotilla.linearizability.history", "version": 1, "operations": [...] }`.
 */
export interface HistoryJSON {
  format: typeof HISTORY_FORMAT;
  version: typeof HISTORY_VERSION;
  operations: OperationJSON[];
}

/** Converts a history to its JSON shape (a plain object; pass it to `JSON.stringify`). */
export function historyToJSON(history: History): HistoryJSON {
  return {
    format: HISTORY_FORMAT,
    version: HISTORY_VERSION,
    operations: history.map((op) => {
      const o: OperationJSON = { id: op.id, client: op.client, key: op.key, kind: op.kind, call: op.call, status: op.status };
      if (op.input !== undefined) o.input = op.input;
      if (op.output !== undefined) o.output = op.output;
      if (op.return !== undefined) o.return = op.return;
      if (op.callSeq !== undefined) o.callSeq = op.callSeq;
      if (op.returnSeq !== undefined) o.returnSeq = op.returnSeq;
      if (op.error !== undefined) o.error = op.error;
      return o;
    }),
  };
}

/**
 * Reads a history from its JSON shape (the parsed object or the JSON text), checking it. Throws a
 * {@link HistoryError} listing what is wrong.
 */
export function historyFromJSON(json: unknown): Operation[] {
  const data: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  const fail = (message: string): never => {
    throw new HistoryError([{ index: -1, message }]);
  };
  if (!isRecord(data)) return fail('not an object');
  if (data['format'] !== HISTORY_FORMAT) return fail(`format must be ${HISTORY_FORMAT}, got ${JSON.stringify(data['format'])}`);
  if (data['version'] !== HISTORY_VERSION) return fail(`unsupported version ${JSON.stringify(data['version'])}`);
  const raw = data['operations'];
  if (!Array.isArray(raw)) return fail('operations must be an array');
  const issues: HistoryIssue[] = [];
  const ops: Operation[] = [];
  raw.forEach((item: unknown, index) => {
    if (!isRecord(item)) {
      issues.push({ index, message: 'not an object' });
      return;
    }
    const client = item['client'];
    if (typeof client !== 'string' && typeof client !== 'number') issues.push({ index, message: 'client must be a string or number' });
    const optNum = (name: string): number | undefined => {
      const v = item[name];
      if (v === undefined) return undefined;
      if (typeof v !== 'number') issues.push({ index, message: `${name} must be a number` });
      return v as number;
    };
    const error = item['error'];
    const ret = optNum('return');
    const callSeq = optNum('callSeq');
    const returnSeq = optNum('returnSeq');
    ops.push({
      id: item['id'] as number,
      client: client as ClientId,
      key: item['key'] as string,
      kind: item['kind'] as OpKind,
      input: item['input'],
      ...(item['output'] !== undefined ? { output: item['output'] } : {}),
      call: item['call'] as number,
      return: ret,
      status: item['status'] as OpStatus,
      ...(callSeq !== undefined ? { callSeq } : {}),
      ...(returnSeq !== undefined ? { returnSeq } : {}),
      ...(typeof error === 'string' ? { error } : {}),
    });
  });
  issues.push(...validateHistory(ops));
  if (issues.length > 0) throw new HistoryError(issues);
  return ops;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
