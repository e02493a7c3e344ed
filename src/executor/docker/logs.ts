import type { Readable } from 'node:stream';
import type { Task } from '../../api/index.js';
import type { LogLine, LogOptions } from '../executor.js';
import { Wakeup, type DockerContext } from './context.js';
import { findTaskContainer } from './container-ops.js';
import { dockerEngineError } from './errors.js';
import type { ContainerJson } from './state.js';

/** Bytes of a multiplexed frame's header: stream type, three zero bytes, big-endian length. */
const HEADER_BYTES = 8;
/** Longest line kept (longer ones are cut), a bound on memory for a process without newlines. */
const MAX_LINE_CHARS = 1 << 20;

/** A run of bytes a container wrote to one stream. @internal */
export interface LogFrame {
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

/**
 * Splits Docker's multiplexed log stream (used when the container has no TTY) into frames. Each
 * frame is an 8-byte header — the stream (1 stdout, 2 stderr; 0 stdin), three zero bytes, and the
 * payload's length as a big-endian uint32 — then the payload. Chunks may cut frames anywhere;
 * `push` keeps what is incomplete for the next chunk.
 *
 * @internal
 */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): LogFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: LogFrame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER_BYTES) {
      const kind = this.pending[offset] as number;
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER_BYTES < size) break;
      const data = this.pending.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size);
      offset += HEADER_BYTES + size;
      frames.push({ stream: kind === 2 ? 'stderr' : 'stdout', data });
    }
    this.pending = offset === 0 ? this.pending : this.pending.subarray(offset);
    return frames;
  }

  /** Bytes held back, waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }
}

/**
 * Turns frames into lines, per stream, and each line's `<RFC 3339 timestamp> <text>` (Docker's
 * `timestamps=1` form) into a {@link LogLine}. A line without a readable timestamp gets `now()`.
 *
 * @internal
 */
export class LogLineSplitter {
  private readonly partial = { stdout: '', stderr: '' };

  constructor(
    private readonly taskId: string,
    private readonly now: () => number,
  ) {}

  push(frame: LogFrame): LogLine[] {
    const out: LogLine[] = [];
    let text = this.partial[frame.stream] + frame.data.toString('utf8');
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      out.push(this.line(frame.stream, text.slice(0, nl)));
      text = text.slice(nl + 1);
    }
    if (text.length > MAX_LINE_CHARS) {
      out.push(this.line(frame.stream, text.slice(0, MAX_LINE_CHARS)));
      text = '';
    }
    this.partial[frame.stream] = text;
    return out;
  }

  /** The unterminated last line of each stream, at the end of the output. */
  flush(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream] !== '') out.push(this.line(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return out;
  }

  private line(stream: 'stdout' | 'stderr', raw: string): LogLine {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const space = text.indexOf(' ');
    const stamp = space > 0 ? Date.parse(text.slice(0, space)) : Number.NaN;
    if (Number.isNaN(stamp)) return { taskId: this.taskId, stream, timestamp: this.now(), line: text };
    return { taskId: this.taskId, stream, timestamp: stamp, line: text.slice(space + 1) };
  }
}

/**
 * The lines of a container's log output (`multiplexed` unless the container has a TTY), from a
 * stream (follow) or a buffer (everything so far). Closing the iterator early ends the stream.
 *
 * @internal
 */
export async function* logLines(source: Readable | Buffer, multiplexed: boolean, taskId: string, now: () => number): AsyncGenerator<LogLine, void, undefined> {
  const demux = new LogDemuxer();
  const lines = new LogLineSplitter(taskId, now);
  const frames = (chunk: Buffer): LogFrame[] => (multiplexed ? demux.push(chunk) : [{ stream: 'stdout', data: chunk }]);
  if (Buffer.isBuffer(source)) {
    for (const f of frames(source)) yield* lines.push(f);
    yield* lines.flush();
    return;
  }
  try {
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
      for (const f of frames(buf)) yield* lines.push(f);
    }
    yield* lines.flush();
  } finally {
    source.destroy();
  }
}

/**
 * A task's log as an async iterable: each iteration finds the task's container (by name, else by
 * labels), waits for it to start when following a container that has not started, and reads
 * its output (`docker logs --timestamps`). Closing the iterator aborts the engine call.
 *
 * @internal
 */
export function taskLogs(ctx: DockerContext, task: Task, options: LogOptions): AsyncIterable<LogLine> {
  return {
    [Symbol.asyncIterator]: () => {
      const abort = new AbortController();
      const inner = readLogs(ctx, task, options, abort);
      const iterator: AsyncIterableIterator<LogLine> = {
        next: () => inner.next(),
        return: async () => {
          abort.abort();
          return inner.return(undefined);
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    },
  };
}

async function* readLogs(ctx: DockerContext, task: Task, options: LogOptions, abort: AbortController): AsyncGenerator<LogLine, void, undefined> {
  const follow = options.follow === true;
  let source: Readable | Buffer;
  let multiplexed: boolean;
  try {
    let c = await findTaskContainer(ctx.engine, ctx.scope, task);
    if (c === undefined) return;
    if (follow && c.State.Status === 'created') c = await untilStarted(ctx, c.Id, abort.signal);
    if (c === undefined || abort.signal.aborted) return;
    multiplexed = c.Config?.Tty !== true;
    const read = await ctx.engine.logs(c.Id, { follow, ...(options.tail !== undefined ? { tail: options.tail } : {}), ...(options.since !== undefined ? { since: options.since } : {}) }, abort.signal);
    // dockerode parses a non-streamed body that happens to be JSON (a TTY's output); undo that.
    source = Buffer.isBuffer(read) || typeof (read as { pipe?: unknown }).pipe === 'function' ? read : Buffer.from(JSON.stringify(read));
  } catch (e) {
    if (abort.signal.aborted) return;
    throw dockerEngineError(e, `reading the logs of task ${task.id} failed`);
  }
  try {
    yield* logLines(source, multiplexed, task.id, () => ctx.clock.now());
  } catch (e) {
    if (abort.signal.aborted) return; // closed by the reader
    throw dockerEngineError(e, `reading the logs of task ${task.id} failed`);
  }
}

/** Waits until a created container has started (or is gone: `undefined`), or `signal` aborts. */
async function untilStarted(ctx: DockerContext, id: string, signal: AbortSignal): Promise<ContainerJson | undefined> {
  const wake = new Wakeup(ctx.clock);
  const unwatch = await ctx.events.watch(id, (ev) => wake.notify(ev));
  const onAbort = (): void => wake.fire();
  signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      const c = await ctx.engine.inspect(id);
      if (c === undefined || c.State.Status !== 'created' || signal.aborted) return c;
      await wake.next(ctx.pollIntervalMs);
    }
  } finally {
    unwatch();
    signal.removeEventListener('abort', onAbort);
  }
}
