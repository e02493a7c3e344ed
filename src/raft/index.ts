/**
 * The raft consensus core: a pure state machine (no I/O, no clock) driven through
 * {@link RaftNode}, plus the storage interface and an in-memory storage.
 *
 * @packageDocumentation
 */
export { RaftNode } from './raft-node.js';
export type { RaftNodeOptions, RaftStatus, ProposalPosition } from './raft-node.js';
export type { Ready } from './ready.js';
export type {
  Entry,
  EntryType,
  HardState,
  ConfState,
  Snapshot,
  SnapshotMetadata,
  Message,
  MessageType,
  ReadState,
  RaftRole,
  SoftState,
} from './messages.js';
export { EMPTY_HARD_STATE, isEmptyHardState, hardStateEquals, entrySize, limitSize } from './messages.js';
export { encodeConfChange, decodeConfChange, validateConfChange, applyToConfState } from './conf-change.js';
export type { ConfChange, ConfChangeType } from './conf-change.js';
export type { RaftStorage, RaftInitialState } from './storage.js';
export { MemoryRaftStorage } from './memory-storage.js';
export {
  NotLeaderError,
  ProposalDroppedError,
  LogCompactedError,
  LogUnavailableError,
  SnapshotOutOfDateError,
  SnapshotUnavailableError,
  ReadIndexDroppedError,
} from './errors.js';
export type { ProposalDropReason } from './errors.js';
export type { RaftLogger } from './logger.js';
export type { ProgressStatus } from './tracker.js';
export type { ProgressState } from './progress.js';
export type { VoteResult } from './quorum.js';
export { RaftDriver } from './driver.js';
export { isRaftMessage } from './is-raft-message.js';
export type { RaftDriverOptions, RaftDriverEvents, RaftStateMachine, DriverStorage, Committed } from './driver.js';
export type { Message as RaftMessage, Entry as RaftEntry, Snapshot as RaftSnapshot } from './messages.js';
export { RaftProposer, storeStateMachine, createReplicatedStore } from './replicated-store.js';
export type { ReplicatedStoreOptions, ReplicatedStore } from './replicated-store.js';
export { forceNewCluster } from './force-new-cluster.js';
export { FileRaftStorage } from './file-storage.js';
export type { FileRaftStorageOptions, FileRaftStorageRecovery, FileRaftStorageStats } from './file-storage.js';
export {
  crc32c,
  NodeFileSystem,
  SimulatedFileSystem,
  WriteAheadLog,
  SnapshotStore,
} from './wal/index.js';
export type {
  FileSystem,
  WritableFile,
  SimulatedFileSystemOptions,
  WriteAheadLogOptions,
  WriteAheadLogStats,
  WalRecord,
  TornTail,
} from './wal/index.js';
