import { describe, expect, it } from 'vitest';
import { RpcClient, RpcServer } from '../../src/rpc/index.js';
import { net } from './support.js';

describe('RPC on a shared endpoint', () => {
  it('lets a node serve and call on one endpoint, including calls to itself', async () => {
    const { clock, random, network } = net();
    const m1 = network.endpoint('m1');
    const m2 = network.endpoint('m2');
    const server1 = new RpcServer({ endpoint: m1, clock });
    const client1 = new RpcClient({ endpoint: m1, clock, random: random.fork('c1') });
    const server2 = new RpcServer({ endpoint: m2, clock });
    const client2 = new RpcClient({ endpoint: m2, clock, random: random.fork('c2') });
    server1.handle('who', () => 'm1', { idempotent: true });
    server2.handle('who', () => 'm2', { idempotent: true });
    const answers = await clock.settle(
      Promise.all([client1.call('m1', 'who', {}), client1.call('m2', 'who', {}), client2.call('m1', 'who', {}), client2.call('m2', 'who', {})]),
    );
    expect(answers).toEqual(['m1', 'm2', 'm1', 'm2']);
  });

  it('routes replies by id to the right one of two clients on one endpoint', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    server.handle('echo', (b: unknown) => b, { idempotent: true });
    const shared = network.endpoint('w');
    const a = new RpcClient({ endpoint: shared, clock, random: random.fork('a') });
    const b = new RpcClient({ endpoint: shared, clock, random: random.fork('b') });
    const results = await clock.settle(Promise.all([a.call('m', 'echo', 'from a'), b.call('m', 'echo', 'from b')]));
    expect(results).toEqual(['from a', 'from b']);
  });

  it('ignores messages of other protocols and leaves them to their owners', async () => {
    const { clock, random, network } = net();
    const ep = network.endpoint('m');
    const server = new RpcServer({ endpoint: ep, clock });
    let runs = 0;
    server.handle('x', () => ++runs, { idempotent: true });
    const raftSeen: unknown[] = [];
    ep.onMessage((msg) => {
      if ((msg as { type?: string } | null)?.type === 'MsgApp') raftSeen.push(msg);
    });
    const other = network.endpoint('o');
    const client = new RpcClient({ endpoint: other, clock, random });
    other.send('m', { type: 'MsgApp', term: 1, method: 'x' });
    other.send('m', { proto: 'something-else', type: 'request', id: '1', method: 'x' });
    other.send('m', null);
    await clock.runUntilIdleAsync();
    expect(runs).toBe(0);
    expect(raftSeen).toHaveLength(1);
    await clock.settle(client.call('m', 'x', {}));
    expect(runs).toBe(1);
  });

  it('lets servers with distinct methods share an endpoint', async () => {
    const { clock, random, network } = net();
    const ep = network.endpoint('m');
    const dispatcher = new RpcServer({ endpoint: ep, clock });
    const control = new RpcServer({ endpoint: ep, clock });
    dispatcher.handle('dispatcher.heartbeat', () => 'hb', { idempotent: true });
    control.handle('control.createService', () => 'created');
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    const r = await clock.settle(Promise.all([client.call('m', 'dispatcher.heartbeat', {}), client.call('m', 'control.createService', {})]));
    expect(r).toEqual(['hb', 'created']);
  });

  it('drops a reply that comes from another address than the one called', async () => {
    const { clock, random, network } = net();
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    const spoof = network.endpoint('evil');
    network.endpoint('m').onMessage((msg) => {
      const req = msg as { id: string };
      spoof.send('w', { proto: 'flotilla.rpc', type: 'response', id: req.id, ok: true, body: 'forged' });
    });
    await expect(clock.settle(client.call('m', 'x', {}, { timeoutMs: 500 }))).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
