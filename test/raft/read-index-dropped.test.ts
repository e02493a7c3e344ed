import { describe, expect, it } from 'vitest';
import { Network, bytes, text } from './harness.js';

const ids = ['a', 'b', 'c'];
const contexts = (list: Uint8Array[]): string[] => list.map(text);

describe('ReadIndex requests are reported dropped when leadership is lost', () => {
  it('a leader cut off from its quorum reports its own pending read dropped when it steps down', () => {
    const net = new Network(ids, { checkQuorum: true });
    net.elect('a');
    net.propose('a', 'x');
    net.isolate('a');
    net.node('a').readIndex(bytes('r1'));
    net.flushReady();
    expect(net.get('a').droppedReads).toEqual([]);
    net.tick(25, ['a']); // check-quorum demotes it
    expect(net.node('a').status().role).toBe('follower');
    expect(contexts(net.get('a').droppedReads)).toEqual(['r1']);
    expect(net.get('a').readStates).toEqual([]);
  });

  it('a read waiting for the new leader to commit in its term is dropped too', () => {
    const net = new Network(ids, { checkQuorum: true });
    net.filter = (m) => m.type !== 'appResp'; // the no-op of the new term never commits
    net.elect('a');
    expect(net.node('a').status().role).toBe('leader');
    net.node('a').readIndex(bytes('r2'));
    net.isolate('a');
    net.tick(25, ['a']);
    expect(contexts(net.get('a').droppedReads)).toEqual(['r2']);
  });

  it("a follower's forwarded read is rejected back to it when the leader steps down", () => {
    const net = new Network(ids, { checkQuorum: true });
    net.elect('a');
    net.propose('a', 'x');
    // Heartbeats that would confirm reads are lost: the read stays pending on the leader.
    net.filter = (m) => !(m.type === 'heartbeat' && m.context !== undefined);
    net.node('b').readIndex(bytes('r3'));
    net.deliverAll();
    expect(net.get('b').readStates).toEqual([]);
    net.filter = undefined;
    net.node('a').transferLeadership('c'); // a steps down when c wins the election it calls
    net.deliverAll();
    expect(net.leaders()).toEqual(['c']);
    expect(contexts(net.get('b').droppedReads)).toEqual(['r3']);
    expect(net.get('b').readStates).toEqual([]);
  });

  it('a confirmed read is never reported dropped, even if leadership is lost afterwards', () => {
    const net = new Network(ids, { checkQuorum: true });
    net.elect('a');
    net.propose('a', 'x');
    net.node('a').readIndex(bytes('r4'));
    net.node('b').readIndex(bytes('r5'));
    net.deliverAll();
    expect(contexts(net.get('a').readStates.map((r) => r.context))).toEqual(['r4']);
    expect(contexts(net.get('b').readStates.map((r) => r.context))).toEqual(['r5']);
    net.isolate('a');
    net.tick(25, ['a']);
    expect(net.get('a').droppedReads).toEqual([]);
    expect(net.get('b').droppedReads).toEqual([]);
  });
});
