import { describe, expect, it } from 'vitest';
import { ProposalDroppedError } from '../../src/raft/index.js';
import { Network } from './harness.js';

const ids = ['a', 'b', 'c'];
const opts = { preVote: true, checkQuorum: true } as const;

function withLeaderA(): Network {
  const net = new Network(ids, opts);
  net.elect('a');
  net.propose('a', 'x');
  return net;
}

describe('membership changes (single server)', () => {
  it('adds a voter: the new node catches up and counts towards the quorum', () => {
    const net = withLeaderA();
    net.add('d', {});
    net.node('a').proposeConfChange({ type: 'addVoter', nodeId: 'd' });
    net.deliverAll();
    net.tick(2, ['a']);
    expect(net.node('a').status().config.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(net.get('d').state).toEqual(['x']);
    expect(net.node('d').status().config.voters).toEqual(['a', 'b', 'c', 'd']);
    // With 4 voters, a quorum is 3: a and b alone cannot commit.
    net.isolate('c');
    net.isolate('d');
    net.propose('a', 'y');
    expect(net.get('a').state).toEqual(['x']);
    net.heal();
    net.tick(2, ['a']);
    expect(net.get('d').state).toEqual(['x', 'y']);
  });

  it('adds a learner: it receives the log but never counts towards commitment', () => {
    const net = withLeaderA();
    net.add('l', {});
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'l' });
    net.deliverAll();
    net.tick(2, ['a']);
    expect(net.get('l').state).toEqual(['x']);
    expect(net.node('l').status().role).toBe('learner');
    expect(net.node('a').status().progress?.l?.isLearner).toBe(true);
    net.isolate('b');
    net.isolate('c');
    net.propose('a', 'y'); // a and l have it: not a quorum of voters
    expect(net.get('a').state).toEqual(['x']);
    expect(net.node('l').status().lastIndex).toBe(net.node('a').status().lastIndex);
  });

  it('a learner never campaigns and its vote does not count', () => {
    const net = withLeaderA();
    net.add('l', {});
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'l' });
    net.deliverAll();
    net.tick(2, ['a']);
    const term = net.node('l').status().term;
    net.isolate('l');
    net.tick(100, ['l']);
    expect(net.node('l').status().term).toBe(term);
    expect(net.node('l').status().role).toBe('learner');
    // b campaigns with only the learner reachable: the learner's grant is not enough.
    net.heal();
    net.isolate('a');
    net.cutLink('b', 'c');
    net.tick(60, ['b', 'l']);
    expect(net.node('b').status().role).not.toBe('leader');
  });

  it('promotes a learner to a voter', () => {
    const net = withLeaderA();
    net.add('l', {});
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'l' });
    net.deliverAll();
    net.tick(1, ['a']);
    net.node('a').proposeConfChange({ type: 'promoteLearner', nodeId: 'l' });
    net.deliverAll();
    net.tick(1, ['a']);
    expect(net.node('a').status().config).toEqual({ voters: ['a', 'b', 'c', 'l'], learners: [] });
    expect(net.node('l').status().role).toBe('follower');
    // Now l counts: a, b and l form a quorum of 4 without c.
    net.isolate('c');
    net.propose('a', 'y');
    expect(net.get('a').state).toEqual(['x', 'y']);
  });

  it('removes a voter: the rest commit without it', () => {
    const net = withLeaderA();
    net.node('a').proposeConfChange({ type: 'remove', nodeId: 'c' });
    net.deliverAll();
    net.tick(1, ['a']);
    expect(net.node('a').status().config.voters).toEqual(['a', 'b']);
    expect(net.node('a').status().progress?.c).toBeUndefined();
    net.isolate('c');
    net.propose('a', 'y');
    expect(net.get('b').state).toEqual(['x', 'y']);
  });

  it('a leader that removes itself steps down and the others elect a new leader', () => {
    const net = withLeaderA();
    net.node('a').proposeConfChange({ type: 'remove', nodeId: 'a' });
    net.deliverAll();
    net.tick(1, ['a']);
    expect(net.node('a').status().role).toBe('follower');
    net.isolate('a');
    const leader = net.tickUntilLeader(['b', 'c']);
    expect(['b', 'c']).toContain(leader);
    net.propose(leader, 'y');
    expect(net.get('b').state).toEqual(['x', 'y']);
    expect(net.node(leader).status().config.voters).toEqual(['b', 'c']);
  });

  it('refuses a second change while one is pending, and accepts it once the first is applied', () => {
    const net = withLeaderA();
    net.isolate('b');
    net.isolate('c');
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'l' });
    net.deliverAll(); // cannot commit: b and c are cut off
    expect(() => net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'm' })).toThrow(ProposalDroppedError);
    try {
      net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'm' });
    } catch (e) {
      expect((e as ProposalDroppedError).reason).toBe('confChangePending');
    }
    net.heal();
    net.tick(1, ['a']);
    expect(net.node('a').status().config.learners).toEqual(['l']);
    net.node('a').proposeConfChange({ type: 'addLearner', nodeId: 'm' });
    net.deliverAll();
    net.tick(1, ['a']);
    expect(net.node('a').status().config.learners).toEqual(['l', 'm']);
  });

  it('refuses changes that do not fit the membership', () => {
    const net = withLeaderA();
    expect(() => net.node('a').proposeConfChange({ type: 'addVoter', nodeId: 'b' })).toThrow(/already a voter/);
    expect(() => net.node('a').proposeConfChange({ type: 'promoteLearner', nodeId: 'zz' })).toThrow(/not a learner/);
    expect(() => net.node('a').proposeConfChange({ type: 'remove', nodeId: 'zz' })).toThrow(/not a member/);
  });
});
