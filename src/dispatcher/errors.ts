import { FlotillaError, type FlotillaErrorOptions } from '../errors/index.js';
import type { WireError } from '../rpc/index.js';

/**
 * The session named in a call is not (or no longer) open on this dispatcher: it expired, the node
 * opened a newer one, or leadership moved. The agent must open a new session.
 *
 * @public
 */
export class SessionInvalidError extends FlotillaError {
  /** The session id the caller named. */
  readonly sessionId: string;
  constructor(sessionId: string, options?: FlotillaErrorOptions) {
    super('INVALID_STATE', `session ${JSON.stringify(sessionId)} is not open on this dispatcher; open a new one`, options);
    this.sessionId = sessionId;
  }
}

/** Rebuilds the dispatcher's own errors on the agent's side of an RPC. @internal */
export function decodeDispatcherError(error: WireError): Error | undefined {
  if (error.name === 'SessionInvalidError') return new SessionInvalidError(typeof error.data?.['sessionId'] === 'string' ? error.data['sessionId'] : '');
  return undefined;
}
