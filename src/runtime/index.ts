export type { Clock, TimerHandle } from './clock.js';
export { SystemClock, every } from './clock.js';
export { VirtualClock, flushMicrotasks } from './virtual-clock.js';
export type { VirtualClockOptions, AdvanceUntilOptions } from './virtual-clock.js';
export { Random } from './random.js';
export type { Seed } from './random.js';
export { parseDuration, formatDuration } from './duration.js';
export type { Duration } from './duration.js';
export type { Logger } from './logger.js';
