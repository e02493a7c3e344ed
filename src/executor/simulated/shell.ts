/*
 * A parser for the small subset of busybox `sh` that simulated containers understand: simple
 * commands with quoting, `;`, newlines, `&&`, `||`, `|`, `&`, `!`, redirections, comments, and
 * the compound commands `while`, `until` and `if`. Anything else is a syntax error, which the
 * simulated shell reports the way sh does (exit status 2).
 */

/**
 * Stands for `$?` (the last status) in a parsed word, outside single quotes; the runner
 * substitutes it. No other expansion is simulated.
 *
 * @internal
 */
export const LAST_STATUS = '\u0000';

/** Where a simple command's output goes. @internal */
export type ShellOutput = 'stdout' | 'stderr' | 'discard';

/** A parsed shell program. @internal */
export type ShellNode =
  | { readonly type: 'simple'; readonly argv: readonly string[]; readonly output: ShellOutput }
  | { readonly type: 'list'; readonly items: readonly ShellNode[] }
  | { readonly type: 'and' | 'or'; readonly left: ShellNode; readonly right: ShellNode }
  | { readonly type: 'not'; readonly node: ShellNode }
  | { readonly type: 'while' | 'until'; readonly cond: ShellNode; readonly body: ShellNode }
  | { readonly type: 'if'; readonly cond: ShellNode; readonly then: ShellNode; readonly otherwise?: ShellNode };

type Token =
  | { readonly kind: 'word'; readonly value: string; readonly quoted: boolean }
  | { readonly kind: 'op'; readonly value: ';' | '\n' | '&' | '&&' | '||' | '|' }
  | { readonly kind: 'redir'; readonly fd: number; readonly op: '>' | '>>' | '<'; readonly dup?: string };

/** Thrown for input the simulated shell does not understand. @internal */
export class ShellSyntaxError extends Error {}

const MAX_SCRIPT_LENGTH = 64 * 1024;

/** Parses `script` (the argument of `sh -c`). Throws {@link ShellSyntaxError}. @internal */
export function parseShell(script: string): ShellNode {
  if (script.length > MAX_SCRIPT_LENGTH) throw new ShellSyntaxError('script too long');
  return new Parser(tokenize(script)).program();
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '\n' || c === ';') {
      out.push({ kind: 'op', value: c });
      i++;
    } else if (c === '&' || c === '|') {
      const doubled = src[i + 1] === c;
      out.push({ kind: 'op', value: doubled ? (c === '&' ? '&&' : '||') : c });
      i += doubled ? 2 : 1;
    } else if (c === '(' || c === ')' || c === '`') {
      throw new ShellSyntaxError(`unsupported ${c}`);
    } else {
      const redir = /^(\d?)(>>|>|<)(&(\d|-))?/.exec(src.slice(i));
      if (redir !== null && (redir[1] !== '' || c === '>' || c === '<')) {
        const op = redir[2] as '>' | '>>' | '<';
        const fd = redir[1] !== '' ? Number(redir[1]) : op === '<' ? 0 : 1;
        out.push({ kind: 'redir', fd, op, ...(redir[4] !== undefined ? { dup: redir[4] } : {}) });
        i += redir[0].length;
        continue;
      }
      const [word, quoted, next] = readWord(src, i);
      out.push({ kind: 'word', value: word, quoted });
      i = next;
    }
  }
  return out;
}

function readWord(src: string, start: number): [string, boolean, number] {
  let i = start;
  let word = '';
  let quoted = false;
  while (i < src.length) {
    const c = src[i] as string;
    if (' \t\r\n;&|<>()`'.includes(c)) break;
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('unterminated quoted string');
      word += src.slice(i + 1, end);
      quoted = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '$' && src[i + 1] === '?') {
          word += LAST_STATUS;
          i += 2;
          continue;
        }
        if (src[i] === '\\' && i + 1 < src.length && '"\\$`\n'.includes(src[i + 1] as string)) i++;
        word += src[i];
        i++;
      }
      if (i >= src.length) throw new ShellSyntaxError('unterminated quoted string');
      quoted = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 < src.length) word += src[i + 1];
      i += 2;
    } else if (c === '$' && src[i + 1] === '?') {
      word += LAST_STATUS;
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  return [word, quoted, i];
}

const TERMINATORS = new Set(['do', 'done', 'then', 'elif', 'else', 'fi']);

class Parser {
  private pos = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  program(): ShellNode {
    const node = this.list();
    const t = this.peek();
    if (t !== undefined) throw new ShellSyntaxError(`unexpected ${t.kind === 'word' ? t.value : t.kind === 'op' ? t.value : 'redirection'}`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'word' && !t.quoted && t.value === word;
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) throw new ShellSyntaxError(`expected ${word}`);
    this.pos++;
  }

  private skipSeparators(): void {
    for (let t = this.peek(); t !== undefined && t.kind === 'op' && (t.value === '\n' || t.value === ';'); t = this.peek()) this.pos++;
  }

  /** A sequence of and-or lists, up to a terminating keyword or the end. */
  private list(): ShellNode {
    const items: ShellNode[] = [];
    this.skipSeparators();
    for (;;) {
      const t = this.peek();
      if (t === undefined || (t.kind === 'word' && !t.quoted && TERMINATORS.has(t.value))) break;
      items.push(this.andOr());
      const sep = this.peek();
      if (sep === undefined) break;
      if (sep.kind === 'op' && (sep.value === ';' || sep.value === '\n' || sep.value === '&')) {
        // `&` runs the command in the foreground here: simulated scripts have one process.
        this.pos++;
        this.skipSeparators();
        continue;
      }
      if (sep.kind === 'word' && !sep.quoted && TERMINATORS.has(sep.value)) break;
      throw new ShellSyntaxError('unexpected token');
    }
    return items.length === 1 ? (items[0] as ShellNode) : { type: 'list', items };
  }

  private andOr(): ShellNode {
    let left = this.pipeline();
    for (let t = this.peek(); t !== undefined && t.kind === 'op' && (t.value === '&&' || t.value === '||'); t = this.peek()) {
      this.pos++;
      this.skipSeparators();
      const right = this.pipeline();
      left = { type: t.value === '&&' ? 'and' : 'or', left, right };
    }
    return left;
  }

  private pipeline(): ShellNode {
    let negate = false;
    if (this.isKeyword('!')) {
      this.pos++;
      negate = true;
    }
    const stages: ShellNode[] = [this.command()];
    for (let t = this.peek(); t !== undefined && t.kind === 'op' && t.value === '|'; t = this.peek()) {
      this.pos++;
      this.skipSeparators();
      stages.push(this.command());
    }
    // Stages run one after the other; the pipeline's status is the last stage's, as in sh.
    const node: ShellNode = stages.length === 1 ? (stages[0] as ShellNode) : { type: 'list', items: stages };
    return negate ? { type: 'not', node } : node;
  }

  private command(): ShellNode {
    if (this.isKeyword('while') || this.isKeyword('until')) {
      const type = (this.peek() as { value: string }).value as 'while' | 'until';
      this.pos++;
      const cond = this.list();
      this.expectKeyword('do');
      const body = this.list();
      this.expectKeyword('done');
      return { type, cond, body };
    }
    if (this.isKeyword('if')) {
      this.pos++;
      return this.ifRest();
    }
    return this.simple();
  }

  /** After `if` or `elif`: cond `then` list [`elif` … | `else` list] `fi`. */
  private ifRest(): ShellNode {
    const cond = this.list();
    this.expectKeyword('then');
    const then = this.list();
    if (this.isKeyword('elif')) {
      this.pos++;
      return { type: 'if', cond, then, otherwise: this.ifRest() };
    }
    let otherwise: ShellNode | undefined;
    if (this.isKeyword('else')) {
      this.pos++;
      otherwise = this.list();
    }
    this.expectKeyword('fi');
    return otherwise === undefined ? { type: 'if', cond, then } : { type: 'if', cond, then, otherwise };
  }

  private simple(): ShellNode {
    const argv: string[] = [];
    let output: ShellOutput = 'stdout';
    for (let t = this.peek(); t !== undefined && t.kind !== 'op'; t = this.peek()) {
      this.pos++;
      if (t.kind === 'word') {
        argv.push(t.value);
        continue;
      }
      if (t.dup === undefined) {
        const target = this.peek();
        if (target === undefined || target.kind !== 'word') throw new ShellSyntaxError('missing redirection target');
        this.pos++;
        if (t.op !== '<' && t.fd === 1) output = target.value === '/dev/stderr' ? 'stderr' : 'discard';
      } else if (t.fd === 1 && t.dup === '2') {
        output = 'stderr';
      }
    }
    if (argv.length === 0) throw new ShellSyntaxError('missing command');
    return { type: 'simple', argv, output };
  }
}
