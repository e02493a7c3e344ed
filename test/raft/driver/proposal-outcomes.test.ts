import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/runtime/index.js';
import { ProposalLostError, QuorumLostError } from '../../../src/errors/index.js';
import { ProposalTracker } from '../../../src/raft/proposal-tracker.js';
import { outcome } from './cluster.js';

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('what a proposal settles with', () => {
  // Bug: when a new proposal landed at the index of one still pending (its entry overwritten in
  // this member's log after a leader change), the driver rejected the older one at once with
  // ProposalLostError, "definitely lost". But the older entry may survive on another member and
  // still be committed by a later leader (Raft's figure 8), so a write reported failed took effect.
  it('a proposal whose entry was overwritten locally stays pending: the index may still commit its entry', async () => {
    const clock = new VirtualClock();
    const t = new ProposalTracker(clock, 10_000);
    const old = outcome(t.track(10, 2));
    const newer = outcome(t.track(10, 4));
    let settled = 0;
    void old.then(() => settled++);
    void newer.then(() => settled++);
    await flush();
    expect(settled).toBe(0);
    // Another leader commits the old entry (term 2) at index 10.
    t.committed(10, 2, { ok: true, result: 'x' });
    const [o, n] = await Promise.all([old, newer]);
    expect(o).toEqual({ value: { index: 10, result: 'x' } });
    expect('error' in n && n.error).toBeInstanceOf(ProposalLostError);
    expect(t.size).toBe(0);
  });

  it('ProposalLostError only once a different entry is committed at its index', async () => {
    const clock = new VirtualClock();
    const t = new ProposalTracker(clock, 10_000);
    const old = outcome(t.track(7, 1));
    t.committed(7, 3, { ok: true, result: undefined });
    const o = await old;
    expect('error' in o && o.error).toBeInstanceOf(ProposalLostError);
  });

  it('overwritten proposals that never commit fail at their own deadlines with QuorumLostError (outcome unknown)', async () => {
    const clock = new VirtualClock();
    const t = new ProposalTracker(clock, 1_000);
    const a = outcome(t.track(5, 1));
    clock.advance(400);
    const b = outcome(t.track(5, 2));
    const c = outcome(t.track(6, 2));
    clock.advance(600);
    const ra = await a;
    expect('error' in ra && ra.error).toBeInstanceOf(QuorumLostError);
    let later = 0;
    void b.then(() => later++);
    void c.then(() => later++);
    await flush();
    expect(later).toBe(0);
    t.committed(6, 2, { ok: false, error: new Error('state machine said no') });
    const rc = await c;
    expect('error' in rc && (rc.error as Error).message).toBe('state machine said no');
    clock.advance(400);
    const rb = await b;
    expect('error' in rb && rb.error).toBeInstanceOf(QuorumLostError);
    expect(t.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
