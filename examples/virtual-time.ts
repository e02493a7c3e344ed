/**
 * Virtual time and seeded chance: the two things that make a whole Flotilla cluster reproducible.
 *
 *   npx tsx examples/virtual-time.ts
 */
import { pathToFileURL } from 'node:url';
import { Random, VirtualClock, every, parseDuration } from 'flotilla';

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const clock = new VirtualClock();
  const random = Random.fromSeed(42);

  // A heartbeat every 5s with up to 500ms of jitter, as Swarm's dispatcher does.
  const beats: number[] = [];
  const jittered = () => parseDuration('5s') + random.fork('jitter').int(500);
  const stop = every(clock, jittered(), () => beats.push(clock.now()));

  clock.advance('1m');
  stop();
  log(`heartbeats in one virtual minute: ${beats.length} (at ${beats.slice(0, 3).join(', ')} ms, ...)`);
  log(`a Docker-style id from seed 42: ${random.id()}`);

  // Promise-based code runs on virtual time too.
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  let woke = -1;
  void sleep(parseDuration('1h')).then(() => (woke = clock.now()));
  await clock.advanceAsync('2h');
  log(`slept one hour of virtual time, woke at ${woke} ms`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
