import { Random, VirtualClock } from '../../src/runtime/index.js';
import { InMemoryNetwork, type InMemoryNetworkOptions, type TransportEndpoint } from '../../src/transport/index.js';

/** One received message: what, from whom, and when (virtual milliseconds). */
export interface Received<M> {
  readonly message: M;
  readonly from: string;
  readonly at: number;
}

/** A network on a fresh virtual clock, seeded, with fixed 10 ms latency unless told otherwise. */
export function simulate<M = unknown>(options: Partial<InMemoryNetworkOptions> & { seed?: number | string } = {}) {
  const { seed = 1, ...rest } = options;
  const clock = new VirtualClock();
  const net = new InMemoryNetwork<M>({ clock, random: Random.fromSeed(seed), latency: 10, ...rest });
  /** Opens `address` and records everything it receives. */
  const listen = (address: string): { endpoint: TransportEndpoint<M>; inbox: Received<M>[] } => {
    const endpoint = net.endpoint(address);
    const inbox: Received<M>[] = [];
    endpoint.onMessage((message, from) => inbox.push({ message, from, at: clock.now() }));
    return { endpoint, inbox };
  };
  return { clock, net, listen };
}
