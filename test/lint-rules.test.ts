import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint();
const banned = async (code: string, filePath: string) => {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').length;
};

describe('lint rules from the brief', () => {
  it.each([
    ['Date.now()', 'export const f = () => Date.now();'],
    ['new Date() without arguments', 'export const f = () => new Date();'],
    ['Math.random()', 'export const f = () => Math.random();'],
    ['global setTimeout', 'export const f = () => setTimeout(() => 1, 1);'],
    ['global setInterval', 'export const f = () => setInterval(() => 1, 1);'],
    ['console output', 'export const f = () => console.log(1);'],
  ])('ban %s in library code', async (_what, code) => {
    expect(await banned(code, 'src/scheduler/x.ts')).toBe(1);
  });

  it('allow them in the runtime module that wraps them, and allow new Date(ms) anywhere', async () => {
    expect(await banned('export const f = () => Date.now();', 'src/runtime/x.ts')).toBe(0);
    expect(await banned('export const f = (ms: number) => new Date(ms);', 'src/scheduler/x.ts')).toBe(0);
  });
});
