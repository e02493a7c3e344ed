import type { ClientId, OpKind, OpStatus, Operation } from './history.js';
import type { RegisterValue } from './register-model.js';

/** An operation without its id, as written in a test; {@link history} numbers them. */
export interface OpSpec {
  readonly client: ClientId;
  readonly key: string;
  readonly kind: OpKind;
  readonly input: unknown;
  readonly output?: unknown;
  readonly call: number;
  readonly return?: number;
  readonly status: OpStatus;
}

/** `ok` when a return time is given, `info` (unknown outcome) when it is not, unless `status` says otherwise. */
function statusOf(ret: number | undefined, status: OpStatus | undefined): OpStatus {
  return status ?? (ret === undefined ? 'info' : 'ok');
}

/** A write of `value` to `key` by `client`, called at `call` and returning at `ret`. */
export function w(client: ClientId, key: string, value: RegisterValue, call: number, ret?: number, status?: OpStatus): OpSpec {
  return { client, key, kind: 'write', input: value, call, ...(ret !== undefined ? { return: ret } : {}), status: statusOf(ret, status) };
}

/** A read of `key` by `client` that returned `output`. */
export function r(client: ClientId, key: string, output: RegisterValue, call: number, ret?: number, status?: OpStatus): OpSpec {
  const s = statusOf(ret, status);
  return { client, key, kind: 'read', input: undefined, ...(s === 'ok' ? { output } : {}), call, ...(ret !== undefined ? { return: ret } : {}), status: s };
}

/** A compare-and-set on `key` from `from` to `to` that returned `output` (whether it swapped). */
export function cas(client: ClientId, key: string, from: RegisterValue, to: RegisterValue, output: boolean, call: number, ret?: number, status?: OpStatus): OpSpec {
  const s = statusOf(ret, status);
  return { client, key, kind: 'cas', input: { from, to }, ...(s === 'ok' ? { output } : {}), call, ...(ret !== undefined ? { return: ret } : {}), status: s };
}

/** Numbers the specs 0, 1, 2, ... in the order given. */
export function history(...specs: readonly OpSpec[]): Operation[] {
  return specs.map((s, id) => ({ ...s, id, return: s.return }));
}
