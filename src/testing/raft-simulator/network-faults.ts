import type { RaftMessage } from '../../raft/index.js';
import type { Random } from '../../runtime/index.js';
import type { InMemoryNetwork } from '../../transport/index.js';

/**
 * The network faults a fault injector draws (network-wide rates and latency, one bad link) and
 * their undoing, shared by the raft simulator's injector and the replicated-store fault tests so
 * that both draw them alike. It remembers the links it degraded, for `calm`.
 *
 * @internal
 */
export class NetworkFaults {
  private readonly links = new Set<string>();

  constructor(
    private readonly net: InMemoryNetwork<RaftMessage>,
    private readonly random: Random,
    private readonly note: (line: string) => void,
  ) {}

  /** Removes every partition. */
  heal(): void {
    this.net.heal();
    this.note('heal partitions');
  }

  /** Draws network-wide drop, duplicate and reorder rates and a latency. */
  messageFaults(): void {
    const r = this.random;
    const f = {
      dropRate: round(r.next() * 0.2),
      duplicateRate: round(r.next() * 0.1),
      reorderRate: round(r.next() * 0.3),
      reorderDelay: r.intBetween(5, 100),
      latency: { min: 1, mean: r.intBetween(2, 30), max: 250 },
    };
    this.net.configure(f);
    this.note(`network drop ${f.dropRate} dup ${f.duplicateRate} reorder ${f.reorderRate}/${f.reorderDelay}ms latency mean ${f.latency.mean}ms`);
  }

  /** Makes the link between two of `ids` (both ways) very lossy or slow. */
  linkFaults(ids: readonly string[]): void {
    if (ids.length < 2) return;
    const r = this.random;
    const a = r.pick(ids);
    const b = r.pick(ids.filter((x) => x !== a));
    const f = r.chance(0.5) ? { dropRate: round(0.3 + r.next() * 0.7) } : { latency: { min: 20, mean: r.intBetween(50, 500), max: 1_000 } };
    this.net.setLink(a, b, f);
    this.net.setLink(b, a, f);
    this.links.add(`${a}\n${b}`);
    this.note(`link ${a}<->${b} ${JSON.stringify(f)}`);
  }

  /** Back to a clean network: no rates, default latency, no degraded link (partitions stay). */
  calm(): void {
    this.net.configure({ dropRate: 0, duplicateRate: 0, reorderRate: 0, latency: { min: 1, mean: 2 } });
    for (const key of this.links) {
      const [a, b] = key.split('\n') as [string, string];
      this.net.clearLink(a, b);
      this.net.clearLink(b, a);
    }
    this.links.clear();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
