import { describe, expect, it } from 'vitest';
import { NotLeaderError, ProposalDroppedError, validateConfChange } from '../../src/raft/index.js';
import { Network, bytes } from './harness.js';

const ids = ['a', 'b', 'c'];

function withLeaderA(): Network {
  const net = new Network(ids, { preVote: true, checkQuorum: true });
  net.elect('a');
  net.propose('a', 'x');
  return net;
}

describe('a leader that stops being a voter steps down properly', () => {
  it('a removed leader steps down and hands over at once: a new leader without waiting for an election timeout', () => {
    const net = withLeaderA();
    net.node('a').proposeConfChange({ type: 'remove', nodeId: 'a' });
    net.deliverAll(); // no tick at all
    expect(net.node('a').status().role).toBe('follower');
    expect(net.leaders()).toEqual(['b']);
    expect(net.node('b').status().config).toEqual({ voters: ['b', 'c'], learners: [] });
    expect(() => net.node('a').propose(bytes('late'))).toThrow(NotLeaderError);
    net.propose('b', 'y');
    expect(net.get('c').state).toEqual(['x', 'y']);
  });

  it('a removed leader never campaigns again and does not disturb the new leader', () => {
    const net = withLeaderA();
    net.node('a').proposeConfChange({ type: 'remove', nodeId: 'a' });
    net.deliverAll();
    const term = net.node('b').status().term;
    net.tick(50);
    expect(net.leaders()).toEqual(['b']);
    expect(net.node('b').status().term).toBe(term);
    expect(net.node('a').status().role).toBe('follower');
  });

  it('a leader demoted to learner steps down, becomes a learner and keeps receiving the log', () => {
    const net = withLeaderA();
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'a' });
    net.deliverAll();
    expect(net.node('a').status().role).toBe('learner');
    expect(net.leaders()).toEqual(['b']);
    expect(net.node('b').status().config).toEqual({ voters: ['b', 'c'], learners: ['a'] });
    expect(net.node('b').status().progress?.a?.isLearner).toBe(true);
    net.propose('b', 'y');
    expect(net.get('a').state).toEqual(['x', 'y']);
    // Cut off, it never campaigns: its term stays put however long it waits.
    const term = net.node('a').status().term;
    net.isolate('a');
    net.tick(100, ['a']);
    expect(net.node('a').status()).toMatchObject({ term, role: 'learner' });
  });

  it('the demoted leader hands over to an up-to-date voter, not to one that lags', () => {
    const net = withLeaderA();
    net.cutLink('a', 'b'); // b misses the demotion entry
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'a' });
    net.deliverAll();
    expect(net.node('a').status().role).toBe('learner');
    expect(net.leaders()).toEqual(['c']);
    net.heal();
    net.tick(3);
    expect(net.get('b').state).toEqual(['x']);
    expect(net.node('b').status().config.learners).toEqual(['a']);
  });

  it('a voter can be demoted to a learner, but not the last voter', () => {
    expect(validateConfChange({ voters: ['a', 'b'], learners: [] }, { type: 'addLearner', nodeId: 'a' })).toBeUndefined();
    expect(validateConfChange({ voters: ['a'], learners: [] }, { type: 'addLearner', nodeId: 'a' })).toMatch(/last voter/);
    const net = new Network(['a']);
    net.elect('a');
    expect(() => net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'a' })).toThrow(ProposalDroppedError);
  });

  it('demoting a follower shrinks the quorum like a removal', () => {
    const net = withLeaderA();
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'c' });
    net.deliverAll();
    expect(net.node('a').status().config).toEqual({ voters: ['a', 'b'], learners: ['c'] });
    expect(net.node('c').status().role).toBe('learner');
    net.isolate('c');
    net.propose('a', 'y'); // a and b are the quorum now
    expect(net.get('b').state).toEqual(['x', 'y']);
  });
});
