import { describe, expect, it } from 'vitest';
import { NotLeaderError, ProposalDroppedError } from '../../src/raft/index.js';
import { Network, bytes } from './harness.js';

const ids = ['a', 'b', 'c'];

describe('leadership transfer', () => {
  it('hands leadership to an up-to-date follower at once', () => {
    const net = new Network(ids);
    net.elect('a');
    net.propose('a', 'x');
    const term = net.node('a').status().term;
    net.node('a').transferLeadership('b');
    net.deliverAll();
    expect(net.leaders()).toEqual(['b']);
    expect(net.node('b').status().term).toBe(term + 1);
    net.propose('b', 'y');
    expect(net.get('a').state).toEqual(['x', 'y']);
  });

  it('waits for a lagging target to catch up, then sends timeoutNow', () => {
    const net = new Network(ids);
    net.elect('a');
    net.isolate('c');
    net.propose('a', 'x');
    net.heal();
    net.node('a').transferLeadership('c');
    expect(net.node('a').status().leadTransferee).toBe('c');
    net.deliverAll();
    net.tick(2, ['a']);
    expect(net.leaders()).toEqual(['c']);
    expect(net.get('c').state).toEqual(['x']);
  });

  it('refuses proposals during a transfer and aborts it after an election timeout', () => {
    const net = new Network(ids, { electionTick: 10 });
    net.elect('a');
    net.isolate('c');
    net.node('a').transferLeadership('c');
    expect(() => net.node('a').propose(bytes('x'))).toThrow(ProposalDroppedError);
    net.tick(10, ['a', 'b']);
    expect(net.node('a').status().leadTransferee).toBeNull();
    expect(net.leaders()).toEqual(['a']);
    net.propose('a', 'x');
    expect(net.get('b').state).toEqual(['x']);
  });

  it('is only possible on the leader and towards a voter', () => {
    const net = new Network(ids);
    net.elect('a');
    expect(() => net.node('b').transferLeadership('c')).toThrow(NotLeaderError);
    expect(() => net.node('a').transferLeadership('zz')).toThrow(/not a voter/);
  });
});
