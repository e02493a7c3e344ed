import { describe, expect, it } from 'vitest';
import { Network } from './harness.js';

const ids = ['a', 'b', 'c'];

describe('pre-vote', () => {
  it('a partitioned node does not bump its term, and on rejoining does not disrupt the leader', () => {
    const net = new Network(ids, { preVote: true, checkQuorum: true });
    net.elect('a');
    net.propose('a', 'x');
    const term = net.node('a').status().term;
    net.isolate('c');
    net.tick(100);
    expect(net.node('c').status().term).toBe(term);
    expect(net.node('c').status().role).toBe('preCandidate');
    net.heal();
    net.tick(30);
    expect(net.leaders()).toEqual(['a']);
    for (const id of ids) expect(net.node(id).status().term).toBe(term);
    net.propose('a', 'y');
    expect(net.get('c').state).toEqual(['x', 'y']);
  });

  it('without pre-vote, the partitioned node bumps its term and deposes the leader on rejoining', () => {
    const net = new Network(ids, { preVote: false, checkQuorum: false });
    net.elect('a');
    const term = net.node('a').status().term;
    net.isolate('c');
    net.tick(100);
    expect(net.node('c').status().term).toBeGreaterThan(term + 2);
    net.heal();
    net.tick(30);
    expect(net.node('a').status().term).toBeGreaterThan(term + 2);
  });

  it('a pre-candidate that wins the pre-vote then campaigns in the next term and wins', () => {
    const net = new Network(ids, { preVote: true });
    const term = net.node('a').status().term;
    net.elect('a');
    expect(net.node('a').status().role).toBe('leader');
    expect(net.node('a').status().term).toBe(term + 1);
  });
});

describe('check-quorum', () => {
  it('an isolated leader steps down within two election timeouts', () => {
    const net = new Network(ids, { checkQuorum: true, electionTick: 10 });
    net.elect('a');
    net.isolate('a');
    net.tick(20, ['a']);
    expect(net.node('a').status().role).toBe('follower');
    expect(net.node('a').status().leader).toBeNull();
  });

  it('without check-quorum an isolated leader keeps believing it leads', () => {
    const net = new Network(ids, { checkQuorum: false, electionTick: 10 });
    net.elect('a');
    net.isolate('a');
    net.tick(50, ['a']);
    expect(net.node('a').status().role).toBe('leader');
  });

  it('a leader that hears from a quorum keeps leading', () => {
    const net = new Network(ids, { checkQuorum: true, electionTick: 10 });
    net.elect('a');
    net.isolate('c');
    net.tick(50, ['a', 'b']);
    expect(net.leaders()).toEqual(['a']);
  });

  it('a follower in its leader lease ignores a vote request with a higher term', () => {
    const net = new Network(ids, { checkQuorum: true, preVote: false });
    net.elect('a');
    const term = net.node('a').status().term;
    net.node('b').step({ type: 'vote', from: 'c', to: 'b', term: term + 5, index: 100, logTerm: term });
    expect(net.node('b').status().term).toBe(term);
    expect(net.node('b').status().vote).toBe('a');
  });
});
