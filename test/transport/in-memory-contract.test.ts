import { Random, VirtualClock } from '../../src/runtime/index.js';
import { InMemoryNetwork } from '../../src/transport/index.js';
import { describeTransportContract } from './transport-contract.js';

describeTransportContract('InMemoryNetwork on a virtual clock', () => {
  const clock = new VirtualClock();
  const transport = new InMemoryNetwork({ clock, random: Random.fromSeed('contract'), latency: { min: '1ms', mean: '3ms' } });
  return { transport, settle: async () => void clock.runUntilIdle() };
});

describeTransportContract('InMemoryNetwork with zero latency and no copying', () => {
  const clock = new VirtualClock();
  const transport = new InMemoryNetwork({ clock, random: Random.fromSeed('contract'), latency: 0, cloneMessages: false });
  return { transport, settle: async () => void clock.runUntilIdle() };
});
