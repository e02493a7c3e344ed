import { describe, expect, it } from 'vitest';
import { QuorumLostError } from '../../src/errors/index.js';
import { LocalProposer, type ProposalTarget, type Transaction } from '../../src/store/index.js';
import { StubAgent, assignedTask, freshNode, setup, status } from './support.js';

/** A proposer that refuses while `failing` is set, as a leader without quorum would. */
class FlakyProposer {
  failing = false;
  refused = 0;
  private readonly local = new LocalProposer();
  propose(tx: Transaction, target: ProposalTarget): Promise<number> {
    if (this.failing) {
      this.refused++;
      return Promise.reject(new QuorumLostError('no quorum'));
    }
    return this.local.propose(tx, target);
  }
}

describe('Dispatcher writes under pressure', () => {
  it('splits its writes when the store finds a transaction too large', async () => {
    const { clock, store, network, dispatcher } = setup({}, 1, { maxTransactionActions: 64, batchSize: 64 });
    await store.batch((b) => {
      void b.update((tx) => tx.nodes.create(freshNode('n1')));
      for (let i = 0; i < 500; i++) void b.update((tx) => tx.tasks.create(assignedTask(`t${i}`, 'n1')));
    });
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    await agent.report(Array.from({ length: 500 }, (_, i) => ({ taskId: `t${i}`, status: status('running') })));
    await dispatcher.flush();
    expect(store.view((tx) => tx.tasks.find({ state: 'running' }).length)).toBe(500);
    expect(dispatcher.stats().statusWritten).toBe(500);
    await dispatcher.stop();
  });

  it('keeps reports queued while the store refuses writes, and writes them once it accepts again', async () => {
    const proposer = new FlakyProposer();
    const { clock, store, network, dispatcher } = setup({}, 1, { proposer });
    await store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      tx.tasks.create(assignedTask('t1', 'n1'));
    });
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    proposer.failing = true;
    expect(await agent.report([{ taskId: 't1', status: status('running') }])).toEqual({ accepted: 1, dropped: 0 });
    await clock.advanceAsync(1_000);
    expect(proposer.refused).toBeGreaterThan(3);
    expect(store.view((tx) => tx.tasks.get('t1')?.status.state)).toBe('assigned');
    proposer.failing = false;
    await clock.advanceAsync(200);
    expect(store.view((tx) => tx.tasks.get('t1')?.status.state)).toBe('running');
    await dispatcher.stop();
  });
});
