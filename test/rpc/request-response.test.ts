import { describe, expect, it } from 'vitest';
import { NotFoundError, TimeoutError, ValidationError } from '../../src/errors/index.js';
import { NotLeaderError } from '../../src/raft/index.js';
import { RemoteError, RpcClient, RpcServer, RpcTimeoutError } from '../../src/rpc/index.js';
import { net } from './support.js';

describe('RPC request and response', () => {
  it('returns the handler result to the caller, sync or async', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    server.handle('add', (b: { a: number; b: number }) => b.a + b.b, { idempotent: true });
    server.handle('later', (b: { v: string }) => new Promise((r) => clock.setTimeout(() => r(`${b.v}!`), 50)));
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    await expect(clock.settle(client.call('m', 'add', { a: 2, b: 3 }))).resolves.toBe(5);
    await expect(clock.settle(client.call('m', 'later', { v: 'x' }))).resolves.toBe('x!');
    expect(client.pending).toBe(0);
  });

  it('rebuilds Flotilla errors the caller branches on, and wraps the rest in RemoteError', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    server.handle('leader', () => {
      throw new NotLeaderError('m2');
    });
    server.handle('missing', () => {
      throw new NotFoundError('node', 'n1');
    });
    server.handle('invalid', () => Promise.reject(new ValidationError([{ path: 'a', message: 'bad' }])));
    server.handle('boom', () => {
      throw new Error('kaput');
    });
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    const leader = await clock.settle(client.call('m', 'leader', {})).catch((e: unknown) => e);
    expect(leader).toBeInstanceOf(NotLeaderError);
    expect((leader as NotLeaderError).leader).toBe('m2');
    const missing = await clock.settle(client.call('m', 'missing', {})).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).key).toBe('n1');
    const invalid = await clock.settle(client.call('m', 'invalid', {})).catch((e: unknown) => e);
    expect((invalid as ValidationError).issues).toEqual([{ path: 'a', message: 'bad' }]);
    const boom = await clock.settle(client.call('m', 'boom', {})).catch((e: unknown) => e);
    expect(boom).toBeInstanceOf(RemoteError);
    expect((boom as RemoteError).remoteCode).toBe('INTERNAL');
    expect((boom as RemoteError).message).toContain('kaput');
  });

  it('lets the application decode its own errors', async () => {
    const { clock, random, network } = net();
    class SessionGone extends Error {
      override name = 'SessionGone';
    }
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    server.handle('x', () => {
      throw new SessionGone('gone');
    });
    const client = new RpcClient({
      endpoint: network.endpoint('w'),
      clock,
      random,
      decodeError: (e) => (e.name === 'SessionGone' ? new SessionGone(e.message) : undefined),
    });
    await expect(clock.settle(client.call('m', 'x', {}))).rejects.toBeInstanceOf(SessionGone);
  });

  it('times out with an error naming the method and the peer', async () => {
    const { clock, random, network } = net();
    network.endpoint('m'); // nobody serves
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    const started = clock.now();
    const err = await clock.settle(client.call('m', 'dispatcher.heartbeat', {}, { timeoutMs: 1500 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcTimeoutError);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as RpcTimeoutError).method).toBe('dispatcher.heartbeat');
    expect((err as RpcTimeoutError).peer).toBe('m');
    expect((err as Error).message).toContain('dispatcher.heartbeat');
    expect((err as Error).message).toContain('"m"');
    expect(clock.now() - started).toBe(1500);
    expect(client.pending).toBe(0);
  });

  it('times out when the server is partitioned away, and works again after healing', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    server.handle('ping', () => 'pong', { idempotent: true });
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    network.partition(['m'], ['w']);
    await expect(clock.settle(client.call('m', 'ping', {}))).rejects.toBeInstanceOf(RpcTimeoutError);
    network.heal();
    await expect(clock.settle(client.call('m', 'ping', {}))).resolves.toBe('pong');
  });

  it('fails waiting calls with ClosedError when the client closes', async () => {
    const { clock, random, network } = net();
    network.endpoint('m');
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    const p = client.call('m', 'x', {});
    client.close();
    await expect(p).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.call('m', 'x', {})).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('refuses calls beyond its bound on calls in flight', async () => {
    const { clock, random, network } = net();
    network.endpoint('m');
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random, maxPending: 2 });
    const a = client.call('m', 'x', {});
    const b = client.call('m', 'x', {});
    await expect(client.call('m', 'x', {})).rejects.toMatchObject({ code: 'INVALID_STATE' });
    client.close();
    await Promise.allSettled([a, b]);
  });

  it('delivers pushes to the subscribers of their topic only', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    const got: unknown[] = [];
    const stop = client.onPush('assignments', (body, from) => got.push([body, from]));
    client.onPush('other', () => got.push('wrong'));
    server.push('w', 'assignments', { seq: 1 });
    await clock.runUntilIdleAsync();
    stop();
    server.push('w', 'assignments', { seq: 2 });
    await clock.runUntilIdleAsync();
    expect(got).toEqual([[{ seq: 1 }, 'm']]);
    expect(server.stats().pushes).toBe(2);
  });
});
