import { ProposalLostError } from '../../errors/index.js';
import type { Random, TimerHandle, VirtualClock } from '../../runtime/index.js';
import type { InvariantChecker } from './invariant-checker.js';
import type { SimulatedMember } from './member.js';
import { encodeValue } from './state-machine.js';

/**
 * Outcomes of client proposals.
 *
 * @public
 */
export interface ClientStats {
  /** Proposals handed to a leader. */
  readonly proposed: number;
  /** Acknowledged as committed. */
  readonly acknowledged: number;
  /** Reported definitely lost (`ProposalLostError`). */
  readonly lost: number;
  /** Outcome unknown (timeout, member stopped). */
  readonly unknown: number;
  /** Refused at once (no leader, not leader, transfer in progress). */
  readonly refused: number;
}

/**
 * A client that proposes a unique value (`<prefix><n>`) to a leader every `interval`
 * milliseconds and tells the checker what it was told: acknowledged (at which index) or lost.
 *
 * @internal
 */
export class LoadClient {
  private timer: TimerHandle | undefined;
  private n = 0;
  private readonly counts = { proposed: 0, acknowledged: 0, lost: 0, unknown: 0, refused: 0 };

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: Random,
    private readonly checker: InvariantChecker,
    private readonly leaders: () => SimulatedMember[],
    private readonly prefix: string,
    private readonly interval: number,
    private readonly onAck?: (value: string, index: number) => void,
  ) {}

  /** What happened to the proposals so far. */
  get stats(): ClientStats {
    return { ...this.counts };
  }

  /** Starts proposing. */
  start(): void {
    if (this.timer !== undefined) return;
    const loop = (): void => {
      this.proposeOnce();
      this.timer = this.clock.setTimeout(loop, this.interval);
    };
    this.timer = this.clock.setTimeout(loop, this.interval);
  }

  /** Stops proposing; proposals in flight still report their outcome. */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Proposes one value to a member that believes it leads (a random one if several do). */
  proposeOnce(): void {
    const leaders = this.leaders();
    if (leaders.length === 0) {
      this.counts.refused++;
      return;
    }
    const member = leaders.length === 1 ? (leaders[0] as SimulatedMember) : this.random.pick(leaders);
    const driver = member.driver;
    if (driver === undefined) return;
    const value = `${this.prefix}${++this.n}`;
    let pending;
    try {
      pending = driver.propose(encodeValue(value));
    } catch {
      this.counts.refused++;
      return;
    }
    this.counts.proposed++;
    pending.then(
      (c) => {
        this.counts.acknowledged++;
        this.checker.acknowledge(c.index, value);
        this.onAck?.(value, c.index);
      },
      (err: unknown) => {
        if (err instanceof ProposalLostError) {
          this.counts.lost++;
          this.checker.lost(value);
        } else {
          this.counts.unknown++;
        }
      },
    ).catch(() => undefined); // a violation is recorded by the checker and rethrown by the simulation
  }
}
