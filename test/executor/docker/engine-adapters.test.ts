/**
 * The pure halves of the Docker executor (no engine needed): reading the multiplexed log stream,
 * reading container inspections and `docker info`, and classifying engine errors — the parts a
 * user sees as log lines, task states, port status, node descriptions and status messages.
 */
import { describe, expect, it } from 'vitest';
import { nodeDescription, parseEngineLabels } from '../../../src/executor/docker/describe.js';
import { controllerError, engineFailure } from '../../../src/executor/docker/errors.js';
import { LogDemuxer, LogLineSplitter, logLines } from '../../../src/executor/docker/logs.js';
import { boundPorts, controllerStatus, type ContainerJson } from '../../../src/executor/docker/state.js';
import type { LogLine } from '../../../src/executor/index.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(it: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('Docker log streams', () => {
  const T = '2026-01-02T03:04:05.123456789Z';

  it('demultiplexes frames cut anywhere across chunks', () => {
    const all = Buffer.concat([frame(1, `${T} out\n`), frame(2, `${T} err\n`), frame(1, `${T} more\n`)]);
    const demux = new LogDemuxer();
    const frames = [];
    for (let i = 0; i < all.length; i += 5) frames.push(...demux.push(all.subarray(i, i + 5)));
    expect(frames.map((f) => [f.stream, f.data.toString()])).toEqual([
      ['stdout', `${T} out\n`],
      ['stderr', `${T} err\n`],
      ['stdout', `${T} more\n`],
    ]);
    expect(demux.buffered).toBe(0);
  });

  it('splits lines per stream, parses the timestamps to epoch ms and flushes an unterminated line', () => {
    const lines = new LogLineSplitter('t1', () => 42);
    const got = [
      ...lines.push({ stream: 'stdout', data: Buffer.from(`${T} hel`) }),
      ...lines.push({ stream: 'stderr', data: Buffer.from(`${T} oops\r\n`) }),
      ...lines.push({ stream: 'stdout', data: Buffer.from(`lo world\nno-timestamp`) }),
      ...lines.flush(),
    ];
    const ms = Date.parse(T);
    expect(got).toEqual([
      { taskId: 't1', stream: 'stderr', timestamp: ms, line: 'oops' },
      { taskId: 't1', stream: 'stdout', timestamp: ms, line: 'hello world' },
      { taskId: 't1', stream: 'stdout', timestamp: 42, line: 'no-timestamp' },
    ]);
  });

  it('reads a whole multiplexed buffer, and a TTY container’s raw output as stdout', async () => {
    const buf = Buffer.concat([frame(1, `${T} a\n`), frame(2, `${T} b\n`)]);
    expect((await collect(logLines(buf, true, 't', () => 0))).map((l) => `${l.stream}:${l.line}`)).toEqual(['stdout:a', 'stderr:b']);
    const raw = Buffer.from(`${T} x\n${T} y\n`);
    expect((await collect(logLines(raw, false, 't', () => 0))).map((l) => `${l.stream}:${l.line}`)).toEqual(['stdout:x', 'stdout:y']);
  });
});

describe('container inspections', () => {
  const base: ContainerJson = { Id: 'c'.repeat(64), State: { Status: 'running' } };

  it('maps Docker statuses to absent/created/running/exited, with the exit for exited ones', () => {
    expect(controllerStatus({ ...base, State: { Status: 'created' } }).state).toBe('created');
    expect(controllerStatus({ ...base, State: { Status: 'paused' } }).state).toBe('running');
    expect(controllerStatus({ ...base, State: { Status: 'exited', ExitCode: 3 } })).toEqual({ state: 'exited', containerId: base.Id, exit: { exitCode: 3 } });
    expect(controllerStatus({ ...base, State: { Status: 'exited', ExitCode: 137, OOMKilled: true } }).exit).toEqual({ exitCode: 137, oomKilled: true, message: 'OOM killed' });
    expect(controllerStatus({ ...base, State: { Status: 'dead', ExitCode: 127, Error: 'exec: "nope": executable file not found' } }).exit).toEqual({
      exitCode: 127,
      message: 'exec: "nope": executable file not found',
    });
  });

  it('reports each bound host port once, whatever the host addresses', () => {
    const c: ContainerJson = {
      ...base,
      NetworkSettings: {
        Ports: {
          '8080/tcp': [
            { HostIp: '0.0.0.0', HostPort: '18080' },
            { HostIp: '::', HostPort: '18080' },
          ],
          '53/udp': [{ HostIp: '0.0.0.0', HostPort: '30053' }],
          '9000/tcp': null,
        },
      },
    };
    expect(boundPorts(c)).toEqual([
      { protocol: 'udp', targetPort: 53, publishedPort: 30053 },
      { protocol: 'tcp', targetPort: 8080, publishedPort: 18080 },
    ]);
    expect(controllerStatus(c).ports).toHaveLength(2);
  });
});

describe('docker info', () => {
  it('describes the node: hostname, platform as Docker reports it, CPUs as nano CPUs, memory, engine labels', () => {
    const d = nodeDescription({ Name: 'vm', OSType: 'linux', Architecture: 'x86_64', NCPU: 2, MemTotal: 8e9, Labels: ['zone=a', 'gpu', 'k=v=w'] }, '27.1.0');
    expect(d).toEqual({
      hostname: 'vm',
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 2e9, memoryBytes: 8e9 },
      engine: { version: '27.1.0', labels: { zone: 'a', gpu: '', k: 'v=w' } },
    });
    expect(nodeDescription({ Name: 'vm', NCPU: 1, MemTotal: 1, ServerVersion: '20.10' }, undefined, { hostname: 'worker-1', engineLabels: { x: 'y' } })).toMatchObject({
      hostname: 'worker-1',
      engine: { version: '20.10', labels: { x: 'y' } },
    });
    expect(parseEngineLabels(['=bad', 'ok=1'])).toEqual({ ok: '1' });
  });
});

describe('engine errors', () => {
  it("keeps Docker's message from the JSON body and strips dockerode's prefix", () => {
    const e = Object.assign(new Error('(HTTP code 404) no such container - No such image: x:1 '), { statusCode: 404, json: { message: 'No such image: x:1' } });
    expect(engineFailure(e)).toEqual({ statusCode: 404, message: 'No such image: x:1', temporary: false });
    const noJson = Object.assign(new Error('(HTTP code 409) unexpected - Conflict. The name is taken '), { statusCode: 409 });
    expect(engineFailure(noJson).message).toBe('Conflict. The name is taken');
  });

  it('treats an unreachable engine (and 503) as temporary: the agent retries the step', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' });
    expect(engineFailure(refused)).toMatchObject({ statusCode: undefined, temporary: true });
    const err = controllerError('TASK_PREPARE_FAILED', refused);
    expect(err).toMatchObject({ code: 'TASK_PREPARE_FAILED', temporary: true });
    expect(err.message).toContain('Docker engine unreachable');
    expect(engineFailure(Object.assign(new Error('x'), { statusCode: 503 })).temporary).toBe(true);
    expect(engineFailure(Object.assign(new Error('x'), { statusCode: 500 })).temporary).toBe(false);
  });
});
