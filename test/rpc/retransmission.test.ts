import { describe, expect, it } from 'vitest';
import { RpcClient, RpcServer, RpcTimeoutError } from '../../src/rpc/index.js';
import { net } from './support.js';

describe('RPC retransmission and deduplication', () => {
  it('retransmits a request whose first copy was lost, within the deadline', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    let runs = 0;
    server.handle('get', () => ++runs, { idempotent: true });
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    network.setLink('w', 'm', { dropRate: 1 });
    const p = client.call('m', 'get', {}, { timeoutMs: 2000, retries: 3 });
    clock.setTimeout(() => network.clearLink('w', 'm'), 600); // heal after the first two copies
    await expect(clock.settle(p)).resolves.toBe(1);
    expect(clock.now()).toBeGreaterThanOrEqual(1000);
    expect(clock.now()).toBeLessThan(1100);
  });

  it('sends once and times out when retries are 0', async () => {
    const { clock, random, network } = net();
    network.endpoint('m');
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    await expect(clock.settle(client.call('m', 'x', {}, { retries: 0, timeoutMs: 300 }))).rejects.toBeInstanceOf(RpcTimeoutError);
    expect(network.linkStats('w', 'm').sent).toBe(1);
  });

  it('runs a non-idempotent call once when its reply is lost and the request is retransmitted', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    let runs = 0;
    server.handle('create', () => ++runs);
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    network.setLink('m', 'w', { dropRate: 1 });
    clock.setTimeout(() => network.clearLink('m', 'w'), 1200);
    await expect(clock.settle(client.call('m', 'create', {}, { timeoutMs: 2000, retries: 3 }))).resolves.toBe(1);
    expect(runs).toBe(1);
    expect(server.stats().duplicates).toBeGreaterThanOrEqual(2);
  });

  it('runs a non-idempotent call once when the network duplicates every request', async () => {
    const { clock, random, network } = net(3, { duplicateRate: 1 });
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    let runs = 0;
    server.handle('create', () => ++runs);
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    for (let i = 0; i < 10; i++) await clock.settle(client.call('m', 'create', {}));
    expect(runs).toBe(10);
    expect(server.stats().duplicates).toBeGreaterThanOrEqual(10);
  });

  it('ignores a duplicate that arrives while the first run is still going, then answers it once done', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    let runs = 0;
    server.handle('slow', () => {
      runs++;
      return new Promise((r) => clock.setTimeout(() => r('done'), 1000));
    });
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    await expect(clock.settle(client.call('m', 'slow', {}, { timeoutMs: 4000, retries: 7 }))).resolves.toBe('done');
    expect(runs).toBe(1);
  });

  it('re-runs an idempotent call for every copy it receives', async () => {
    const { clock, random, network } = net(5, { duplicateRate: 1 });
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock });
    let runs = 0;
    server.handle('read', () => ++runs, { idempotent: true });
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    await clock.settle(client.call('m', 'read', {}));
    await clock.runUntilIdleAsync();
    expect(runs).toBe(2);
  });

  it('forgets requests after the dedupe window, keeping its memory bounded', async () => {
    const { clock, random, network } = net();
    const server = new RpcServer({ endpoint: network.endpoint('m'), clock, dedupeWindowMs: 1000, maxDedupeEntries: 5 });
    server.handle('op', () => 'ok');
    const client = new RpcClient({ endpoint: network.endpoint('w'), clock, random });
    for (let i = 0; i < 20; i++) await clock.settle(client.call('m', 'op', {}));
    const cache = (server as unknown as { dedupe: { size: number } }).dedupe;
    expect(cache.size).toBeLessThanOrEqual(5);
    await clock.advanceAsync(2000);
    await clock.settle(client.call('m', 'op', {}));
    expect(cache.size).toBe(1);
  });
});
