import { describe, expect, it } from 'vitest';
import { Network, bytes } from './harness.js';

const ids = ['a', 'b', 'c'];

/** The application snapshots its state at its applied index and compacts the log there. */
function snapshotAndCompact(net: Network, id: string): number {
  const sim = net.get(id);
  sim.storage.createSnapshot(sim.appliedIndex, sim.confState, bytes(JSON.stringify(sim.state)));
  sim.storage.compact(sim.appliedIndex);
  return sim.appliedIndex;
}

describe('snapshots and log compaction', () => {
  it('a follower too far behind a compacted log receives a snapshot and catches up', () => {
    const net = new Network(ids);
    net.elect('a');
    net.propose('a', 'before');
    net.isolate('c');
    for (let i = 0; i < 10; i++) net.propose('a', `x${i}`);
    const snapIndex = snapshotAndCompact(net, 'a');
    expect(net.get('a').storage.firstIndex()).toBe(snapIndex + 1);
    net.heal();
    const before = net.get('a').sent.length;
    net.tick(3, ['a']);
    const snaps = net.get('a').sent.slice(before).filter((m) => m.type === 'snap' && m.to === 'c');
    expect(snaps).toHaveLength(1);
    expect(snaps[0]?.snapshot?.metadata.index).toBe(snapIndex);
    expect(net.get('c').state).toEqual(net.get('a').state);
    expect(net.get('c').storage.firstIndex()).toBe(snapIndex + 1);
    expect(net.node('a').status().progress?.c?.state).toBe('replicate');
    // Replication continues normally after the snapshot.
    net.propose('a', 'after');
    expect(net.get('c').state.at(-1)).toBe('after');
    expect(net.get('c').confState.voters).toEqual(['a', 'b', 'c']);
  });

  it('a lost snapshot is reported and sent again later', () => {
    const net = new Network(ids);
    net.elect('a');
    net.isolate('c');
    for (let i = 0; i < 5; i++) net.propose('a', `x${i}`);
    snapshotAndCompact(net, 'a');
    net.heal();
    let dropped = 0;
    net.filter = (m) => {
      if (m.type === 'snap' && dropped === 0) {
        dropped++;
        return false;
      }
      return true;
    };
    net.tick(5, ['a']);
    expect(dropped).toBe(1);
    expect(net.get('a').sent.filter((m) => m.type === 'snap').length).toBeGreaterThanOrEqual(2);
    expect(net.get('c').state).toEqual(net.get('a').state);
  });

  it('a node restarts from its snapshot and the log after it', () => {
    const net = new Network(ids);
    net.elect('a');
    for (let i = 0; i < 5; i++) net.propose('a', `x${i}`);
    snapshotAndCompact(net, 'b');
    net.propose('a', 'y');
    net.restart('b');
    net.flushReady();
    expect(net.get('b').state).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'y']);
    expect(net.node('b').status().config.voters).toEqual(['a', 'b', 'c']);
  });

  it('a leader whose log was compacted still replicates from the first index', () => {
    const net = new Network(ids);
    net.elect('a');
    for (let i = 0; i < 5; i++) net.propose('a', `x${i}`);
    for (const id of ids) snapshotAndCompact(net, id);
    net.propose('a', 'y');
    for (const id of ids) expect(net.get(id).state.at(-1)).toBe('y');
    // A new leader elected from compacted logs works too.
    net.isolate('a');
    const leader = net.tickUntilLeader(['b', 'c']);
    net.propose(leader, 'z');
    expect(net.get('b').state.at(-1)).toBe('z');
    expect(net.get('c').state.at(-1)).toBe('z');
  });
});
