/* The allocator: new tasks become pending once their resources (networks, later) are allocated. */
export { Allocator, PENDING_MESSAGE } from './allocator.js';
export type { AllocatorOptions } from './allocator.js';
