/**
 * A raft-replicated cluster on the system clock (Cluster.create), with simulated executors:
 * waits there are woken by changes rather than by advancing time, and a leader change is one.
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../../src/cluster/index.js';

describe('a cluster of three managers on the system clock', () => {
  it('elects a leader, and a new one after the leader crashes', async () => {
    const cluster = await Cluster.create({ managers: 3, timeout: '20s' });
    try {
      const old = cluster.leader;
      expect(old).toBeDefined();
      await cluster.services.create({ name: 'web', mode: { replicated: { replicas: 2 } }, task: { container: { image: 'busybox', command: ['sleep', '1d'] } } });
      await cluster.services.waitConverged('web');
      await cluster.crash(old as string);
      await cluster.waitFor(() => cluster.leader !== undefined && cluster.leader !== old, { waitingFor: 'a new leader' });
      await cluster.services.scale('web', 3);
      expect(cluster.services.inspect('web').spec.mode).toEqual({ replicated: { replicas: 3 } });
    } finally {
      await cluster.close();
    }
  });
});
