import { describe, expect, it } from 'vitest';
import type { RaftEntry } from '../../../src/raft/index.js';
import { drawFaultPlan, DEFAULT_FAULT_WEIGHTS, EventTrace, InvariantChecker, InvariantViolationError, RaftSimulation } from '../../../src/testing/raft-simulator/index.js';
import { Random } from '../../../src/runtime/index.js';
import { KNOWN_BUG_WORKAROUNDS, REPLAY_SEED } from './sweep-config.js';

const enc = new TextEncoder();
const entry = (index: number, term: number, data: string): RaftEntry => ({ index, term, type: 'normal', data: enc.encode(data) });

// `SEED=123 npx vitest run test/raft/simulator` replays exactly that seed (every other test skips).
// WORKAROUNDS=0 replays it without the known-bug work-arounds; SIM_STORAGE=file on file storage.
describe.runIf(REPLAY_SEED !== undefined)('replay', () => {
  it(`SEED=${String(REPLAY_SEED)}`, async () => {
    const result = await new RaftSimulation({
      seed: REPLAY_SEED as number | string,
      storage: process.env.SIM_STORAGE === 'file' ? 'file' : 'memory',
      workarounds: process.env.WORKAROUNDS === '0' ? {} : KNOWN_BUG_WORKAROUNDS,
    }).run();
    expect(result.seed).toBe(String(REPLAY_SEED));
  });
});

describe.skipIf(REPLAY_SEED !== undefined)('RaftSimulation', () => {
  it('replays a seed exactly: same seed, same event digest', async () => {
    const a = await new RaftSimulation({ seed: 4242, workarounds: KNOWN_BUG_WORKAROUNDS }).run();
    const b = await new RaftSimulation({ seed: 4242, workarounds: KNOWN_BUG_WORKAROUNDS }).run();
    expect(b.digest).toBe(a.digest);
    expect(b.events).toBe(a.events);
    expect(b.simulatedMs).toBe(a.simulatedMs);
    expect(b.client).toEqual(a.client);
    const c = await new RaftSimulation({ seed: 4243, workarounds: KNOWN_BUG_WORKAROUNDS }).run();
    expect(c.digest).not.toBe(a.digest);
  });

  it('runs a cluster under faults and load, then heals it and commits', async () => {
    const r = await new RaftSimulation({ seed: 11, workarounds: KNOWN_BUG_WORKAROUNDS }).run();
    expect(r.faults).toBeGreaterThan(5);
    expect(r.terms).toBeGreaterThan(1);
    expect(r.client.acknowledged).toBeGreaterThan(10);
    expect(r.committed).toBeGreaterThanOrEqual(r.client.acknowledged);
    expect(r.livenessMs).toBeLessThan(30_000);
    expect(r.finalConfig.voters.length).toBeGreaterThanOrEqual(3);
  });

  it('runs without faults: one term, every proposal acknowledged', async () => {
    const r = await new RaftSimulation({ seed: 5, faults: false, members: 3, safetyPhase: '5s' }).run();
    expect(r.terms).toBe(1);
    expect(r.client.acknowledged).toBe(r.client.proposed);
    expect(r.network.dropped.fault).toBe(0);
  });

  it('runs on FileRaftStorage over a crashing simulated file system', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await new RaftSimulation({ seed, storage: 'file', safetyPhase: '8s', workarounds: KNOWN_BUG_WORKAROUNDS }).run();
      expect(r.committed).toBeGreaterThan(0);
    }
  });

  it('draws a fault plan from the seed alone', () => {
    const a = drawFaultPlan(Random.fromSeed(1), 20_000, 500, DEFAULT_FAULT_WEIGHTS);
    const b = drawFaultPlan(Random.fromSeed(1), 20_000, 500, DEFAULT_FAULT_WEIGHTS);
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(10);
    expect(a.every((f) => f.at >= 2_000 && f.at < 20_000)).toBe(true);
    expect(drawFaultPlan(Random.fromSeed(1), 20_000, 500, { ...DEFAULT_FAULT_WEIGHTS, crash: 0, crashLeader: 0 }).some((f) => f.kind.startsWith('crash'))).toBe(false);
  });
});

describe.skipIf(REPLAY_SEED !== undefined)('InvariantChecker', () => {
  const checker = () => {
    const trace = new EventTrace(8);
    trace.record(1_000, 'something happened');
    return new InvariantChecker('77', () => trace.recent(), () => 1_500);
  };
  const violation = (f: () => void): InvariantViolationError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InvariantViolationError);
      return e as InvariantViolationError;
    }
    throw new Error('no violation');
  };

  it('catches two leaders in one term, and prints the seed and the trace', () => {
    const c = checker();
    c.leaderSeen('m1', 3);
    c.leaderSeen('m1', 3);
    const e = violation(() => c.leaderSeen('m2', 3));
    expect(e.invariant).toBe('electionSafety');
    expect(e.message).toContain('SEED=77');
    expect(e.message).toContain('1.000s something happened');
    expect(c.violation).toBe(e);
  });

  it('catches logs that disagree on an entry of the same index and term', () => {
    const c = checker();
    c.appended('m1', [entry(1, 1, 'a'), entry(2, 1, 'b')], 0);
    c.appended('m2', [entry(1, 1, 'a')], 0);
    expect(violation(() => c.appended('m2', [entry(2, 1, 'x')], 1)).invariant).toBe('logMatching');
  });

  it('catches members applying different values, or skipping one', () => {
    const c = checker();
    c.applied('m1', 5, 'a', 0, 111, 1);
    expect(violation(() => c.applied('m2', 5, 'b', 0, 222, 1)).invariant).toBe('stateMachineSafety');
    const d = checker();
    d.applied('m1', 5, 'a', 0, 111, 1);
    d.applied('m1', 6, 'b', 5, 112, 1);
    expect(violation(() => d.applied('m2', 7, 'c', 5, 113, 1)).invariant).toBe('stateMachineSafety');
  });

  it('catches an acknowledged write that is not applied, and a lost write that is', () => {
    const c = checker();
    c.applied('m1', 1, 'a', 0, 1, 1);
    c.acknowledge(1, 'a');
    expect(violation(() => c.checkConverged([{ id: 'm2', lastIndex: 0, hash: 0 }])).invariant).toBe('durability');
    const d = checker();
    d.applied('m1', 1, 'a', 0, 1, 1);
    expect(violation(() => d.lost('a')).invariant).toBe('durability');
  });
});
