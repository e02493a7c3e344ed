import { describe, expect, it } from 'vitest';
import { NotLeaderError } from '../../src/raft/index.js';
import { Network, bytes, text } from './harness.js';

const ids = ['a', 'b', 'c'];

describe('ReadIndex', () => {
  it('the leader returns its commit index after a quorum confirms a heartbeat round', () => {
    const net = new Network(ids);
    net.elect('a');
    net.propose('a', 'x');
    const before = net.get('a').sent.length;
    net.node('a').readIndex(bytes('r1'));
    net.flushReady();
    // Not yet confirmed: the heartbeats are still queued.
    expect(net.get('a').readStates).toEqual([]);
    const beats = net.get('a').sent.slice(before).filter((m) => m.type === 'heartbeat');
    expect(beats.map((m) => text(m.context ?? new Uint8Array()))).toEqual(['r1', 'r1']);
    net.deliverAll();
    expect(net.get('a').readStates.map((r) => [r.index, text(r.context)])).toEqual([[net.node('a').status().commit, 'r1']]);
  });

  it('a follower forwards the read to the leader and gets the answer back', () => {
    const net = new Network(ids);
    net.elect('a');
    net.propose('a', 'x');
    net.node('b').readIndex(bytes('r2'));
    net.deliverAll();
    expect(net.get('b').readStates.map((r) => [r.index, text(r.context)])).toEqual([[net.node('a').status().commit, 'r2']]);
  });

  it('a partitioned leader never confirms a read, and drops it when it steps down', () => {
    const net = new Network(ids, { checkQuorum: true });
    net.elect('a');
    net.isolate('a');
    net.node('a').readIndex(bytes('r3'));
    net.tick(25, ['a']);
    expect(net.get('a').readStates).toEqual([]);
    expect(net.node('a').status().role).toBe('follower');
    net.heal();
    net.tickUntilLeader();
    net.tick(5);
    expect(net.get('a').readStates).toEqual([]);
  });

  it('a node that knows no leader refuses reads', () => {
    const net = new Network(ids);
    expect(() => net.node('a').readIndex(bytes('r4'))).toThrow(NotLeaderError);
  });

  it('a single-node leader answers at once', () => {
    const net = new Network(['a']);
    net.elect('a');
    net.node('a').readIndex(bytes('r5'));
    net.flushReady();
    expect(net.get('a').readStates).toHaveLength(1);
  });
});
