/*
 * Runs a container's command as a generator of steps on simulated time. The container drives
 * the generator: it writes `output` steps to the log, waits on its clock for `sleep` steps, stops
 * pumping at `forever` (the process blocks until a signal ends it), and records `trap` steps.
 * The generator's return value is the exit status.
 *
 * Two modes: `main` for a container's process, where an unknown program is a long-running
 * server (it runs until stopped); `probe` for a health check, where an unknown program (curl,
 * wget, pg_isready, ...) succeeds at once.
 */
import { LAST_STATUS, parseShell, ShellSyntaxError, type ShellNode, type ShellOutput } from './shell.js';

/** One thing a simulated process does. @internal */
export type ProcessStep =
  | { readonly kind: 'output'; readonly stream: 'stdout' | 'stderr'; readonly line: string }
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'forever' }
  /** A zero-time step (a loop iteration), so a busy loop gives its driver a chance to pause. */
  | { readonly kind: 'tick' }
  /** `trap ACTION SIGNAL...`: `action` `''` ignores the signals, `undefined` resets them. */
  | { readonly kind: 'trap'; readonly action: string | undefined; readonly signals: readonly string[] };

/**
 * A running simulated process: an iterator of steps whose return value is the exit status. The
 * interpreter's processes are generators; a process whose steps are known up front (a plain
 * `sleep`, a server) is a small fixed list, which costs far less to keep while it runs.
 *
 * @internal
 */
export interface SimulatedProcess extends Iterator<ProcessStep, number, void> {
  next(): IteratorResult<ProcessStep, number>;
  [Symbol.iterator](): SimulatedProcess;
}

/** A process written as a generator (the shell interpreter). @internal */
export type ProcessGenerator = Generator<ProcessStep, number, void>;

const FOREVER: ProcessStep = Object.freeze({ kind: 'forever' });
const FOREVER_STEPS: readonly ProcessStep[] = Object.freeze([FOREVER]);
const NO_STEPS: readonly ProcessStep[] = Object.freeze([]);

/** A process whose steps are known when it starts. */
class FixedProcess implements SimulatedProcess {
  private next_ = 0;

  constructor(
    private readonly steps: readonly ProcessStep[],
    private readonly exitCode: number,
  ) {}

  next(): IteratorResult<ProcessStep, number> {
    const step = this.steps[this.next_];
    if (step === undefined) return { done: true, value: this.exitCode };
    this.next_++;
    return { done: false, value: step };
  }

  [Symbol.iterator](): SimulatedProcess {
    return this;
  }
}

/** How unknown programs behave. @internal */
export type ProcessMode = 'main' | 'probe';

/** Programs that finish at once with status 0 in both modes (they do their work instantly). */
const INSTANT = new Set([
  'test', '[', '[[', 'cd', 'export', 'set', 'unset', 'env', 'printenv', 'ls', 'cat', 'mkdir', 'touch', 'rm', 'cp',
  'mv', 'ln', 'chmod', 'chown', 'date', 'hostname', 'id', 'whoami', 'pwd', 'uname', 'read', 'wait', 'kill',
  'wget', 'curl', 'nc', 'printf', 'grep', 'ps', 'stat', 'mount', 'umount', 'sync', 'nslookup', 'ping',
]);

const SHELLS = new Set(['sh', 'ash', 'bash', 'dash']);

class ShellExit {
  constructor(readonly code: number) {}
}

interface ShellState {
  readonly mode: ProcessMode;
  status: number;
}

/**
 * The process for a container's `argv` (command followed by args). An empty `argv` means the
 * image's default command, which the simulation treats as a server that runs until stopped.
 *
 * @internal
 */
export function runArgv(argv: readonly string[], mode: ProcessMode): SimulatedProcess {
  return fixed(argv, mode) ?? interpret(argv, mode);
}

/** The steps of a plain `sleep`, by duration: shared, as every replica of a service runs the same command. */
const SLEEPS = new Map<number, readonly ProcessStep[]>();

function sleepSteps(ms: number): readonly ProcessStep[] {
  let steps = SLEEPS.get(ms);
  if (steps === undefined) {
    steps = Object.freeze([Object.freeze({ kind: 'sleep', ms } as const)]);
    // Bounded: commands with ever new durations would otherwise grow the cache without end.
    if (SLEEPS.size < 1_000) SLEEPS.set(ms, steps);
  }
  return steps;
}

/**
 * The steps of `argv` when they need no interpreter: no command (the image's server), a plain
 * `sleep`, or a program the simulation treats as a server. They are exactly the steps the
 * interpreter would take; `undefined` for everything else.
 */
function fixed(argv: readonly string[], mode: ProcessMode): SimulatedProcess | undefined {
  if (argv.length === 0) return new FixedProcess(mode === 'main' ? FOREVER_STEPS : NO_STEPS, 0);
  const first = argv[0] as string;
  if (ASSIGNMENT.test(first)) return undefined;
  const program = basename(first);
  if (program === 'sleep') {
    const ms = sleepMs(argv.slice(1));
    if (ms === undefined) return undefined;
    return new FixedProcess(ms === Infinity ? FOREVER_STEPS : ms > 0 ? sleepSteps(ms) : NO_STEPS, 0);
  }
  if (SPECIAL.has(program) || SHELLS.has(program) || INSTANT.has(program)) return undefined;
  return new FixedProcess(mode === 'main' ? FOREVER_STEPS : NO_STEPS, 0);
}

/** Programs the interpreter handles itself (see `runCommand`). */
const SPECIAL = new Set(['exit', 'true', ':', 'false', 'echo', 'sleep', 'trap', 'exec']);

function* interpret(argv: readonly string[], mode: ProcessMode): ProcessGenerator {
  const state: ShellState = { mode, status: 0 };
  try {
    return yield* runCommand(argv, 'stdout', state);
  } catch (e) {
    if (e instanceof ShellExit) return e.code;
    throw e;
  }
}

/** The process for a shell script, as `sh -c script`. @internal */
export function runScript(script: string, mode: ProcessMode): SimulatedProcess {
  return runArgv(['sh', '-c', script], mode);
}

function* runNode(node: ShellNode, state: ShellState): ProcessGenerator {
  switch (node.type) {
    case 'simple':
      state.status = yield* runCommand(
        node.argv.map((a) => (a.includes(LAST_STATUS) ? a.split(LAST_STATUS).join(String(state.status)) : a)),
        node.output,
        state,
      );
      return state.status;
    case 'list':
      for (const item of node.items) yield* runNode(item, state);
      return state.status;
    case 'and':
    case 'or': {
      const left = yield* runNode(node.left, state);
      if ((left === 0) === (node.type === 'and')) yield* runNode(node.right, state);
      return state.status;
    }
    case 'not':
      state.status = (yield* runNode(node.node, state)) === 0 ? 1 : 0;
      return state.status;
    case 'while':
    case 'until': {
      let last = 0;
      for (;;) {
        yield { kind: 'tick' };
        const cond = yield* runNode(node.cond, state);
        if ((cond === 0) !== (node.type === 'while')) break;
        last = yield* runNode(node.body, state);
      }
      state.status = last;
      return last;
    }
    case 'if': {
      const cond = yield* runNode(node.cond, state);
      if (cond === 0) return yield* runNode(node.then, state);
      if (node.otherwise !== undefined) return yield* runNode(node.otherwise, state);
      state.status = 0;
      return 0;
    }
  }
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

function* runCommand(words: readonly string[], output: ShellOutput, state: ShellState): ProcessGenerator {
  // Variable assignments (`i=0`, `FOO=1 cmd`) succeed; variables are not simulated.
  let first = 0;
  while (first < words.length && ASSIGNMENT.test(words[first] as string)) first++;
  if (first === words.length) return 0;
  const argv = first === 0 ? words : words.slice(first);
  const program = basename(argv[0] as string);
  const args = argv.slice(1);
  switch (program) {
    case 'exit':
      throw new ShellExit(args.length === 0 ? state.status : exitCodeOf(args[0] as string));
    case 'true':
    case ':':
      return 0;
    case 'false':
      return 1;
    case 'echo': {
      const words = args[0] === '-n' || args[0] === '-e' ? args.slice(1) : args;
      if (output !== 'discard') yield { kind: 'output', stream: output, line: words.join(' ') };
      return 0;
    }
    case 'sleep': {
      const ms = sleepMs(args);
      if (ms === undefined) {
        yield { kind: 'output', stream: 'stderr', line: `sleep: invalid number '${args.join(' ')}'` };
        return 1;
      }
      if (ms === Infinity) yield { kind: 'forever' };
      else if (ms > 0) yield { kind: 'sleep', ms };
      return 0;
    }
    case 'trap': {
      if (args.length < 2) return 0;
      const action = args[0] === '-' ? undefined : (args[0] as string);
      yield { kind: 'trap', action, signals: args.slice(1) };
      return 0;
    }
    case 'exec': {
      if (args.length === 0) return 0;
      const code = yield* runCommand(args, output, state);
      throw new ShellExit(code);
    }
    default:
      break;
  }
  if (SHELLS.has(program)) return yield* runShell(args, state);
  if (INSTANT.has(program)) return 0;
  if (state.mode === 'main') yield { kind: 'forever' };
  return 0;
}

function* runShell(args: readonly string[], state: ShellState): ProcessGenerator {
  // Without -c, sh reads its script from stdin, which is empty in a container without a tty.
  if (args[0] !== '-c') return 0;
  if (args.length < 2) {
    yield { kind: 'output', stream: 'stderr', line: 'sh: -c requires an argument' };
    return 2;
  }
  let tree: ShellNode;
  try {
    tree = parseShell(args[1] as string);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    yield { kind: 'output', stream: 'stderr', line: `sh: syntax error: ${e.message}` };
    return 2;
  }
  const inner: ShellState = { mode: state.mode, status: 0 };
  try {
    return yield* runNode(tree, inner);
  } catch (e) {
    if (e instanceof ShellExit) return e.code;
    throw e;
  }
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/** `exit N` keeps the low 8 bits, as the kernel does; a non-number is sh's "Illegal number" (2). */
function exitCodeOf(text: string): number {
  if (!/^-?\d+$/.test(text)) return 2;
  return ((Number(text) % 256) + 256) % 256;
}

const SLEEP_UNIT: Readonly<Record<string, number>> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** busybox sleep: the sum of its arguments, each a decimal with an optional s/m/h/d suffix. */
function sleepMs(args: readonly string[]): number | undefined {
  if (args.length === 0) return undefined;
  let total = 0;
  for (const arg of args) {
    if (arg === 'inf' || arg === 'infinity') return Infinity;
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
    if (m === null) return undefined;
    total += Number(m[1]) * (SLEEP_UNIT[m[2] as string] as number);
  }
  return Math.round(total);
}

const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22,
  URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};

/**
 * A signal's canonical name (`SIGTERM`) from `TERM`, `SIGTERM`, `sigterm` or `15`; `undefined`
 * for an unknown signal.
 *
 * @internal
 */
export function signalName(signal: string): string | undefined {
  const s = signal.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    const name = Object.keys(SIGNALS).find((k) => SIGNALS[k] === n);
    return name === undefined ? undefined : `SIG${name}`;
  }
  const bare = s.startsWith('SIG') ? s.slice(3) : s;
  return SIGNALS[bare] === undefined ? undefined : `SIG${bare}`;
}

/** The exit status of a process ended by `signal` (128 + its number), as Docker reports it. @internal */
export function signalExitCode(signal: string): number {
  const name = signalName(signal);
  return 128 + (name === undefined ? 15 : (SIGNALS[name.slice(3)] as number));
}

/** The outcome of running a process to its end without a clock (health probes, trap actions). @internal */
export interface InstantRun {
  /** The exit status; `undefined` when the process would block forever or loop without end. */
  readonly exitCode: number | undefined;
  /** Total simulated time its sleeps took. */
  readonly elapsedMs: number;
  readonly output: readonly { readonly stream: 'stdout' | 'stderr'; readonly line: string }[];
}

/** Bound on the steps {@link runInstantly} takes, so `while true; do :; done` ends. */
const MAX_INSTANT_STEPS = 10_000;

/**
 * Runs `process` to its end at once, adding up its sleeps, stopping once they exceed `limitMs`.
 *
 * @internal
 */
export function runInstantly(process: SimulatedProcess, limitMs: number): InstantRun {
  let elapsedMs = 0;
  const output: { stream: 'stdout' | 'stderr'; line: string }[] = [];
  for (let steps = 0; steps < MAX_INSTANT_STEPS; steps++) {
    const r = process.next();
    if (r.done === true) return { exitCode: r.value, elapsedMs, output };
    const step = r.value;
    if (step.kind === 'forever') break;
    if (step.kind === 'sleep') {
      elapsedMs += step.ms;
      if (elapsedMs > limitMs) return { exitCode: undefined, elapsedMs: limitMs, output };
    } else if (step.kind === 'output' && output.length < 100) {
      output.push({ stream: step.stream, line: step.line });
    }
  }
  return { exitCode: undefined, elapsedMs: limitMs, output };
}
