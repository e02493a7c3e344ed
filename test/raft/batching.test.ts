import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/index.js';
import { Network, bytes } from './harness.js';

const ids = ['a', 'b', 'c'];
const ENTRY_BYTES = 128 + 16; // entrySize of a 128-byte entry

function leaderA(options: ConstructorParameters<typeof Network>[1] = {}): Network {
  const net = new Network(ids, options);
  net.elect('a');
  net.propose('a', 'warm-up'); // followers are now replicating (not probing)
  return net;
}

function sentSince(net: Network, id: string, mark: number): Message[] {
  return net.get(id).sent.slice(mark);
}

describe('proposal bursts are batched', () => {
  it('proposals made before the next Ready go out as one append per follower carrying them all', () => {
    const net = leaderA();
    const mark = net.get('a').sent.length;
    for (let i = 0; i < 100; i++) net.node('a').propose(bytes(`v${i}`));
    net.flushReady();
    const apps = sentSince(net, 'a', mark).filter((m) => m.type === 'app');
    expect(apps.map((m) => [m.to, m.entries?.length])).toEqual([
      ['b', 100],
      ['c', 100],
    ]);
    net.deliverAll();
    for (const id of ids) expect(net.get(id).state).toHaveLength(101);
  });

  it('a burst costs a bounded number of messages, not a number per entry', () => {
    const net = leaderA();
    const before = ids.map((id) => net.get(id).sent.length);
    for (let i = 0; i < 500; i++) net.node('a').propose(bytes(`v${i}`));
    net.deliverAll();
    const total = ids.reduce((n, id, i) => n + net.get(id).sent.length - (before[i] as number), 0);
    // Two appends, two acknowledgements, two commit updates and their two acknowledgements.
    expect(total).toBeLessThanOrEqual(8);
    for (const id of ids) expect(net.get(id).state).toHaveLength(501);
  });

  it('appends respect maxSizePerMsg and the in-flight window; the rest follows as acks free the window', () => {
    const net = leaderA({ maxSizePerMsg: 10 * ENTRY_BYTES, maxInflightMsgs: 4 });
    const mark = net.get('a').sent.length;
    const data = new Uint8Array(128);
    for (let i = 0; i < 100; i++) net.node('a').propose(data);
    net.flushReady();
    const toB = sentSince(net, 'a', mark).filter((m) => m.type === 'app' && m.to === 'b');
    expect(toB.map((m) => m.entries?.length)).toEqual([10, 10, 10, 10]);
    expect(net.node('a').status().progress?.b?.inflight).toBe(4);
    net.deliverAll();
    for (const id of ids) expect(net.node(id).status().commit).toBe(net.node('a').status().lastIndex);
    for (const id of ids) expect(net.get(id).state).toHaveLength(101);
  });

  it('a follower that handled several appends before its Ready acknowledges once, with the highest index', () => {
    const net = leaderA({ maxSizePerMsg: 10 * ENTRY_BYTES });
    const data = new Uint8Array(128);
    for (let i = 0; i < 30; i++) net.node('a').propose(data);
    net.flushReady();
    const toB = net.queue.filter((m) => m.to === 'b' && m.type === 'app');
    expect(toB).toHaveLength(3);
    net.queue = net.queue.filter((m) => !toB.includes(m));
    const mark = net.get('b').sent.length;
    for (const m of toB) net.node('b').step(m);
    net.flushReady();
    const acks = sentSince(net, 'b', mark).filter((m) => m.type === 'appResp');
    expect(acks).toHaveLength(1);
    expect(acks[0]?.index).toBe(net.node('a').status().lastIndex);
    net.deliverAll();
    expect(net.get('b').state).toHaveLength(31);
  });

  it('once everyone is up to date an idle leader sends heartbeats only', () => {
    const net = leaderA();
    net.propose('a', 'y');
    net.tick(1);
    const mark = net.get('a').sent.length;
    net.tick(5);
    expect(new Set(sentSince(net, 'a', mark).map((m) => m.type))).toEqual(new Set(['heartbeat']));
  });

  it('followers learn the new commit index without waiting for a heartbeat', () => {
    const net = leaderA();
    net.propose('a', 'y');
    // No tick: only appends and their acknowledgements were exchanged.
    for (const id of ids) expect(net.get(id).state).toEqual(['warm-up', 'y']);
  });
});
