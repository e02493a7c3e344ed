/**
 * Where the raft core reports notable transitions (elections, step-downs, snapshots). Every
 * method is optional; the default logs nothing.
 *
 * @public
 */
export interface RaftLogger {
  /** Frequent, detailed events. */
  debug?(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Role changes and membership changes. */
  info?(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Unexpected but survivable conditions. */
  warn?(message: string, fields?: Readonly<Record<string, unknown>>): void;
}
