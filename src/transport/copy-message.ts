import { ValidationError } from '../errors/index.js';

/**
 * Copies a message as a wire would (with `structuredClone`) when `clone` is set, so sender and
 * receiver never share objects; otherwise returns it as is.
 *
 * @throws {@link ValidationError} when the message is not plain data (a function, a symbol, ...)
 * @internal
 */
export function copyMessage<M>(message: M, clone: boolean): M {
  if (!clone) return message;
  try {
    return structuredClone(message);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ValidationError([{ path: 'message', message: `must be plain data that can be copied: ${reason}` }], { cause });
  }
}
