import { ClosedError } from '../errors/index.js';
import type { MessageHandler, TransportEndpoint } from './transport.js';

/**
 * What an {@link InMemoryEndpoint} needs from its network.
 *
 * @internal
 */
export interface EndpointHost<M> {
  /** Puts a message from `from` to `to` on the network. */
  transmit(from: InMemoryEndpoint<M>, to: string, message: M): void;
  /** Called once when `endpoint` closes: drop what is on its way to it, free the address. */
  release(endpoint: InMemoryEndpoint<M>): void;
}

/**
 * An endpoint of an {@link InMemoryNetwork}.
 *
 * @internal
 */
export class InMemoryEndpoint<M> implements TransportEndpoint<M> {
  private handlers: MessageHandler<M>[] = [];
  private isClosed = false;

  constructor(
    readonly address: string,
    private readonly host: EndpointHost<M>,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  send(to: string, message: M): void {
    if (this.isClosed) throw new ClosedError(`endpoint ${JSON.stringify(this.address)}`);
    this.host.transmit(this, to, message);
  }

  onMessage(handler: MessageHandler<M>): () => void {
    if (this.isClosed) throw new ClosedError(`endpoint ${JSON.stringify(this.address)}`);
    this.handlers = [...this.handlers, handler];
    let registered = true;
    return () => {
      if (!registered) return;
      registered = false;
      const i = this.handlers.indexOf(handler);
      if (i >= 0) this.handlers = [...this.handlers.slice(0, i), ...this.handlers.slice(i + 1)];
    };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.handlers = [];
    this.host.release(this);
  }

  /**
   * Hands a message to every handler registered now. A handler that throws does not keep the
   * message from the others; the first error is rethrown once all have run.
   */
  deliver(message: M, from: string): void {
    const handlers = this.handlers; // copy-on-write: changes during delivery apply to the next message
    let failure: { error: unknown } | undefined;
    for (const h of handlers) {
      if (this.isClosed) break; // a handler closed the endpoint: the rest no longer receive
      try {
        h(message, from);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
