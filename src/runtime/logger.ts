/**
 * Where a Flotilla component reports what it does. Every method is optional, and the default
 * (no logger) logs nothing: the library never writes to the console itself.
 *
 * @example
 * ```ts
 * const logger: Logger = { warn: (message, fields) => myLog.warn({ ...fields }, message) };
 * ```
 * @public
 */
export interface Logger {
  /** Frequent, detailed events. */
  debug?(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Notable transitions (a leader elected, a node down, an update completed). */
  info?(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Unexpected but survivable conditions. */
  warn?(message: string, fields?: Readonly<Record<string, unknown>>): void;
}
