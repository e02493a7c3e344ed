import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/index.js';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import { InMemoryNetwork } from '../../src/transport/index.js';
import { simulate } from './support.js';

/** Three nodes that each record what they receive; `say` sends one message along every link. */
function triangle() {
  const sim = simulate({ latency: 10 });
  const nodes = { a: sim.listen('a'), b: sim.listen('b'), c: sim.listen('c') };
  const names = ['a', 'b', 'c'] as const;
  const say = (tag: string): void => {
    for (const from of names) for (const to of names) if (from !== to) nodes[from].endpoint.send(to, `${tag}:${from}>${to}`);
  };
  const heard = (tag: string): string[] =>
    names
      .flatMap((n) => nodes[n].inbox.map((r) => r.message as string))
      .filter((m) => m.startsWith(`${tag}:`))
      .map((m) => m.slice(tag.length + 1))
      .sort();
  return { ...sim, nodes, say, heard };
}

const ALL = ['a>b', 'a>c', 'b>a', 'b>c', 'c>a', 'c>b'];

describe('InMemoryNetwork partitions', () => {
  it('cuts a symmetric partition both ways, keeps each side connected, and heal restores everything', () => {
    const { clock, net, say, heard } = triangle();
    net.partition(['a'], ['b', 'c']);
    say('cut');
    clock.runUntilIdle();
    expect(heard('cut')).toEqual(['b>c', 'c>b']);
    expect(net.stats().dropped.partition).toBe(4);
    expect(net.linkStats('a', 'b').dropped.partition).toBe(1);
    expect(net.linkStats('b', 'a').dropped.partition).toBe(1);
    expect(net.isPartitioned('a', 'b') && net.isPartitioned('b', 'a')).toBe(true);

    net.heal();
    say('healed');
    clock.runUntilIdle();
    expect(heard('healed')).toEqual(ALL);
    expect(net.isPartitioned('a', 'b')).toBe(false);
  });

  it('cuts a one-way partition in one direction only', () => {
    const { clock, net, say, heard } = triangle();
    net.partitionOneWay('a', 'b');
    say('oneway');
    clock.runUntilIdle();
    expect(heard('oneway')).toEqual(ALL.filter((l) => l !== 'a>b'));
    expect(net.stats().dropped.partition).toBe(1);
    expect(net.isPartitioned('a', 'b')).toBe(true);
    expect(net.isPartitioned('b', 'a')).toBe(false);
  });

  it('isolates one address from everyone, including addresses opened later, but not from itself', () => {
    const { clock, net, listen, nodes, say, heard } = triangle();
    net.isolate('c');
    const d = listen('d');
    say('iso');
    d.endpoint.send('c', 'iso:d>c');
    nodes.c.endpoint.send('d', 'iso:c>d');
    nodes.c.endpoint.send('c', 'iso:c>c');
    clock.runUntilIdle();
    expect(heard('iso')).toEqual(['a>b', 'b>a', 'c>c']);
    expect(d.inbox).toEqual([]);
    expect(net.stats().dropped.partition).toBe(6);
  });

  it('heals a single address, leaving other cuts in place', () => {
    const { clock, net, say, heard } = triangle();
    net.isolate('c');
    net.partitionOneWay('b', 'c');
    net.partitionOneWay('a', 'b');
    net.heal('c');
    say('partly');
    clock.runUntilIdle();
    expect(heard('partly')).toEqual(ALL.filter((l) => l !== 'a>b'));
    net.heal('a');
    say('fully');
    clock.runUntilIdle();
    expect(heard('fully')).toEqual(ALL);
  });

  it('drops a message already in flight when a partition starts before it arrives', () => {
    const { clock, net, nodes } = triangle();
    nodes.a.endpoint.send('b', 'in flight');
    nodes.b.endpoint.send('a', 'also in flight');
    clock.advance(5);
    net.partition('a', 'b');
    clock.advance(10);
    expect(nodes.b.inbox).toEqual([]);
    expect(nodes.a.inbox).toEqual([]);
    expect(net.stats()).toMatchObject({ sent: 2, delivered: 0, inFlight: 0, dropped: { partition: 2, total: 2 } });
  });

  it('delivers a message sent before a partition that heals before it arrives', () => {
    const { clock, net, nodes } = triangle();
    nodes.a.endpoint.send('b', 'lucky');
    clock.advance(3);
    net.partition('a', 'b');
    clock.advance(3);
    net.heal();
    clock.runUntilIdle();
    expect(nodes.b.inbox.map((r) => r.message)).toEqual(['lucky']);
  });

  it('keeps a message sent during a partition lost even if the partition heals before it would have arrived', () => {
    const { clock, net, nodes } = triangle();
    net.partition('a', 'b');
    nodes.a.endpoint.send('b', 'too early');
    net.heal();
    clock.runUntilIdle();
    expect(nodes.b.inbox).toEqual([]);
    expect(net.stats().dropped.partition).toBe(1);
  });

  it('refuses a partition with an address on both sides', () => {
    const { net } = triangle();
    expect(() => net.partition(['a', 'b'], ['b', 'c'])).toThrow(ValidationError);
    expect(() => net.partitionOneWay('a', ['a'])).toThrow(ValidationError);
    expect(net.isPartitioned('a', 'c')).toBe(false);
  });

  it('behaves as the InMemoryNetwork TSDoc example says', () => {
    const clock = new VirtualClock();
    const net = new InMemoryNetwork({ clock, random: Random.fromSeed(7), latency: { min: '1ms', mean: '5ms' } });
    const a = net.endpoint('a');
    const b = net.endpoint('b');
    b.onMessage((msg, from) => b.send(from, { ack: msg }));
    a.send('b', 'hello');
    net.partition(['a'], ['b']);
    clock.runUntilIdle();
    expect(net.stats().dropped.partition).toBe(1);
    expect(net.stats().delivered).toBe(0);
  });
});
