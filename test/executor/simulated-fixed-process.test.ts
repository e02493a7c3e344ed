/** A plain `sleep`, a server or an empty command skips the interpreter: the same steps, for less memory. */
import { describe, expect, it } from 'vitest';
import { runArgv, type ProcessStep, type SimulatedProcess } from '../../src/executor/simulated/process.js';

function steps(p: SimulatedProcess, max = 10): { steps: ProcessStep[]; exit: number | undefined } {
  const out: ProcessStep[] = [];
  for (let i = 0; i < max; i++) {
    const r = p.next();
    if (r.done === true) return { steps: out, exit: r.value };
    out.push(r.value);
    if (r.value.kind === 'forever') return { steps: out, exit: undefined };
  }
  return { steps: out, exit: undefined };
}

describe('runArgv without the interpreter', () => {
  const cases: (readonly string[])[] = [
    ['sleep', '1d'],
    ['sleep', '0'],
    ['sleep', '1.5', '2m'],
    ['/bin/sleep', 'infinity'],
    ['sleep', 'soon'],
    ['nginx', '-g', 'daemon off;'],
    [],
  ];
  for (const argv of cases) {
    for (const mode of ['main', 'probe'] as const) {
      it(`${JSON.stringify(argv)} (${mode}) takes the steps sh -c would`, () => {
        const script = argv.map((a) => `'${a}'`).join(' ');
        const viaShell = argv.length === 0 ? undefined : steps(runArgv(['sh', '-c', script], mode));
        const direct = steps(runArgv(argv, mode));
        if (viaShell !== undefined) expect(direct).toEqual(viaShell);
      });
    }
  }

  it('can be delegated to with yield*', () => {
    function* wrapped(): Generator<ProcessStep, number, void> {
      yield { kind: 'output', stream: 'stdout', line: 'hi' };
      return yield* runArgv(['sleep', '2'], 'main');
    }
    expect(steps(wrapped())).toEqual({ steps: [{ kind: 'output', stream: 'stdout', line: 'hi' }, { kind: 'sleep', ms: 2000 }], exit: 0 });
  });
});
