/**
 * The busybox-like interpreter: a container without a script does what its command says, with
 * the timing the command implies, so specs written for real busybox behave alike here.
 */
import { describe, expect, it } from 'vitest';
import { runArgv, runInstantly, runScript, signalExitCode, signalName } from '../../src/executor/simulated/process.js';
import { simNode } from './support.js';

/** Runs a command to its end, returning its exit code, the time it took and its output. */
function instant(argv: readonly string[], mode: 'main' | 'probe' = 'main') {
  return runInstantly(runArgv(argv, mode), Infinity);
}

describe('simulated commands', () => {
  it.each([
    [['true'], 0],
    [['false'], 1],
    [['/bin/true'], 0],
    [['sh', '-c', 'exit 0'], 0],
    [['sh', '-c', 'exit 3'], 3],
    [['sh', '-c', 'exit 256'], 0],
    [['sh', '-c', 'exit -1'], 255],
    [['sh', '-c', 'exit nope'], 2],
    [['sh', '-c', 'false'], 1],
    [['sh', '-c', 'false || exit 5'], 5],
    [['sh', '-c', 'true && exit 6; exit 1'], 6],
    [['sh', '-c', 'false && exit 6; exit 7'], 7],
    [['sh', '-c', '! true'], 1],
    [['sh', '-c', 'if false; then exit 1; elif true; then exit 8; else exit 2; fi'], 8],
    [['sh', '-c', 'if [ -f /x ]; then exit 9; fi'], 9],
    [['sh', '-c', 'sh -c "exit 4"; exit $?'], 4],
    [['sh', '-c', "false; echo \"$?\" '$?'; exit '$?'"], 2],
    [['sh', '-c', 'sh -c "exit 4"'], 4],
    [['sh', '-c', 'exec sh -c "exit 11"; exit 1'], 11],
    [['sh', '-c', 'echo "unterminated'], 2],
    [['sh', '-c', 'echo (subshell)'], 2],
    [['sh'], 0],
    [['sh', '-c', 'i=0; FOO=bar exit 6'], 6],
    [['sleep', 'x'], 1],
  ] as const)('%j exits with %i', (argv, code) => {
    expect(instant(argv).exitCode).toBe(code);
  });

  it('adds up sleeps: seconds by default, s/m/h/d suffixes, decimals, several arguments', () => {
    expect(instant(['sleep', '30']).elapsedMs).toBe(30_000);
    expect(instant(['sleep', '0.25']).elapsedMs).toBe(250);
    expect(instant(['sleep', '1m', '2s']).elapsedMs).toBe(62_000);
    expect(instant(['sh', '-c', 'sleep 1; sleep 2h; exit 0']).elapsedMs).toBe(7_201_000);
  });

  it('runs forever for servers, `sleep infinity` and containers without a command', () => {
    for (const argv of [['httpd', '-f', '-p', '8080'], ['sleep', 'infinity'], [], ['sh', '-c', 'echo ready; nginx -g "daemon off;"'], ['tail', '-f', '/dev/null']]) {
      expect(instant(argv).exitCode).toBeUndefined();
    }
  });

  it('lets unknown programs pass in a health probe, and utilities succeed anywhere', () => {
    expect(instant(['curl', '-f', 'http://localhost/'], 'probe').exitCode).toBe(0);
    expect(instant(['sh', '-c', 'wget -q --spider http://localhost || exit 1'], 'main').exitCode).toBe(0);
    expect(instant(['pg_isready'], 'probe').exitCode).toBe(0);
  });

  it('writes echo output to stdout, or stderr with >&2, and drops redirected output', () => {
    const run = instant(['sh', '-c', "echo hello 'big world'; echo oops >&2; echo gone > /tmp/x; echo -n tail"]);
    expect(run.output).toEqual([
      { stream: 'stdout', line: 'hello big world' },
      { stream: 'stderr', line: 'oops' },
      { stream: 'stdout', line: 'tail' },
    ]);
  });

  it('handles quoting, escapes, comments and line continuations', () => {
    const run = runInstantly(runScript('echo "a \\"b\\" c" \'d e\' f\\ g # comment\necho two \\\n three', 'main'), Infinity);
    expect(run.output.map((o) => o.line)).toEqual(['a "b" c d e f g', 'two three']);
  });

  it('runs while and until loops', () => {
    const run = runInstantly(runScript('while true; do echo tick; sleep 1; done', 'main'), 3_500);
    expect(run.exitCode).toBeUndefined();
    expect(run.output.map((o) => o.line)).toEqual(['tick', 'tick', 'tick', 'tick']);
    expect(runInstantly(runScript('until true; do exit 1; done; exit 3', 'main'), Infinity).exitCode).toBe(3);
  });

  it('names signals and their exit codes like Docker', () => {
    expect(signalName('TERM')).toBe('SIGTERM');
    expect(signalName('sigint')).toBe('SIGINT');
    expect(signalName('9')).toBe('SIGKILL');
    expect(signalName('NOPE')).toBeUndefined();
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(signalExitCode('KILL')).toBe(137);
    expect(signalExitCode('SIGQUIT')).toBe(131);
  });

  it('runs a container for exactly as long as its sleep, then exits with its status', async () => {
    const node = simNode('commands-timing');
    const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', 'sleep 1.5; echo done; exit 3'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    const exit = await node.settle(ctl.wait());
    expect(exit.exitCode).toBe(3);
    expect(node.elapsed()).toBe(1_500);
    expect(node.executor.containers()[0]).toMatchObject({ startedAt: node.clock.now() - 1_500, finishedAt: node.clock.now(), endReason: 'exited' });
  });

  it('keeps a busy loop from freezing the clock: it pauses 1 ms every 1000 steps and can be stopped', async () => {
    const node = simNode('busy-loop');
    const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', 'while true; do :; done'] } }));
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    await node.clock.advanceAsync(50);
    expect((await ctl.inspect()).state).toBe('running');
    await node.settle(ctl.shutdown({ gracePeriodMs: 1000 }));
    expect((await node.settle(ctl.wait())).exitCode).toBe(143);
  });
});
