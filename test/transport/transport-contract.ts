/**
 * The behaviour every Transport keeps, whatever its wires: one suite, run against each
 * implementation (in-memory now, TCP later). Only what the contract guarantees is checked: on a
 * healthy transport with no injected faults, messages arrive, with the right sender.
 */
import { describe, expect, it } from 'vitest';
import { ClosedError, InvalidStateError } from '../../src/errors/index.js';
import type { Transport } from '../../src/transport/index.js';

/** A transport under test and a way to let everything in flight arrive. */
export interface TransportHarness {
  readonly transport: Transport<unknown>;
  /** Resolves once every message sent so far has been delivered (or can no longer be). */
  settle(): Promise<void>;
}

export function describeTransportContract(name: string, make: () => TransportHarness): void {
  describe(`${name} keeps the Transport contract`, () => {
    it('delivers a message to the addressed endpoint with the sender address as from', async () => {
      const { transport, settle } = make();
      const a = transport.endpoint('a');
      const b = transport.endpoint('b');
      const got: [unknown, string][] = [];
      b.onMessage((m, from) => got.push([m, from]));
      a.send('b', { type: 'ping', n: 1 });
      await settle();
      expect(got).toEqual([[{ type: 'ping', n: 1 }, 'a']]);
      transport.close();
    });

    it('never runs a handler inside send', async () => {
      const { transport, settle } = make();
      const a = transport.endpoint('a');
      let calls = 0;
      a.onMessage(() => calls++);
      a.send('a', 'to myself');
      expect(calls).toBe(0);
      await settle();
      expect(calls).toBe(1);
      transport.close();
    });

    it('lets a receiver reply to from', async () => {
      const { transport, settle } = make();
      const client = transport.endpoint('client');
      const server = transport.endpoint('server');
      server.onMessage((m, from) => server.send(from, { re: m }));
      const replies: unknown[] = [];
      client.onMessage((m) => replies.push(m));
      client.send('server', 'q');
      await settle();
      expect(replies).toEqual([{ re: 'q' }]);
      transport.close();
    });

    it('gives every message to every handler, until a handler unsubscribes', async () => {
      const { transport, settle } = make();
      const a = transport.endpoint('a');
      const b = transport.endpoint('b');
      const first: unknown[] = [];
      const second: unknown[] = [];
      const stopFirst = b.onMessage((m) => first.push(m));
      b.onMessage((m) => second.push(m));
      a.send('b', 1);
      await settle();
      stopFirst();
      stopFirst();
      a.send('b', 2);
      await settle();
      expect(first).toEqual([1]);
      expect(second).toEqual([1, 2]);
      transport.close();
    });

    it('does not throw when nobody listens at the destination', async () => {
      const { transport, settle } = make();
      const a = transport.endpoint('a');
      expect(() => a.send('nobody', 'hello?')).not.toThrow();
      await settle();
      transport.close();
    });

    it('refuses a second open endpoint at one address, and reopens it after close', () => {
      const { transport } = make();
      const a = transport.endpoint('a');
      expect(() => transport.endpoint('a')).toThrow(InvalidStateError);
      a.close();
      a.close();
      expect(a.closed).toBe(true);
      const again = transport.endpoint('a');
      expect(again.closed).toBe(false);
      transport.close();
    });

    it('delivers nothing to a closed endpoint and refuses to send or subscribe from it', async () => {
      const { transport, settle } = make();
      const a = transport.endpoint('a');
      const b = transport.endpoint('b');
      const got: unknown[] = [];
      b.onMessage((m) => got.push(m));
      b.close();
      a.send('b', 'late');
      await settle();
      expect(got).toEqual([]);
      expect(() => b.send('a', 'x')).toThrow(ClosedError);
      expect(() => b.onMessage(() => undefined)).toThrow(ClosedError);
      transport.close();
    });

    it('closes every endpoint when the transport closes, and opens none after', () => {
      const { transport } = make();
      const a = transport.endpoint('a');
      transport.close();
      transport.close();
      expect(a.closed).toBe(true);
      expect(() => a.send('a', 'x')).toThrow(ClosedError);
      expect(() => transport.endpoint('b')).toThrow(ClosedError);
    });
  });
}
