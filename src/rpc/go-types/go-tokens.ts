import { GoTypesError } from './errors.ts';

/** A token of Go source: identifiers and literals keep their text; ';' includes Go's automatic ones. */
export interface GoToken {
  readonly kind: 'ident' | 'string' | 'number' | 'rune' | 'op';
  readonly text: string;
  readonly line: number;
}

/** Go inserts a ';' at a line end after these (the language specification, "Semicolons"). */
const ENDS_STATEMENT = new Set(['break', 'continue', 'fallthrough', 'return', '++', '--', ')', ']', '}']);
const KEYWORDS = new Set(
  'break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var'.split(
    ' ',
  ),
);
const OPERATORS = [
  '<<=',
  '>>=',
  '&^=',
  '...',
  '&&',
  '||',
  '<-',
  '++',
  '--',
  '==',
  '!=',
  '<=',
  '>=',
  ':=',
  '<<',
  '>>',
  '&^',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
];
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{Nd}_]/u;

/**
 * Splits Go source into tokens, dropping comments and inserting Go's automatic semicolons.
 * Enough of the lexical grammar to read declarations; bodies are skipped by their brackets.
 */
export function tokenizeGo(source: string, file: string): GoToken[] {
  const tokens: GoToken[] = [];
  let line = 1;
  let i = 0;
  const fail = (what: string): never => {
    throw new GoTypesError(`${file}:${line}: ${what}`);
  };
  const newline = () => {
    const last = tokens.at(-1);
    if (last !== undefined && endsStatement(last)) tokens.push({ kind: 'op', text: ';', line });
    line++;
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      newline();
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      i = end === -1 ? source.length : end;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) fail('a /* comment is not closed');
      const lines = source.slice(i, end).split('\n').length - 1;
      for (let n = 0; n < lines; n++) newline();
      i = end + 2;
    } else if (c === '"' || c === "'") {
      const end = quotedEnd(source, i, c);
      if (end === -1) fail(`a ${c === '"' ? 'string' : 'rune'} literal is not closed`);
      tokens.push({ kind: c === '"' ? 'string' : 'rune', text: source.slice(i, end), line });
      i = end;
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      if (end === -1) fail('a raw string literal is not closed');
      const text = source.slice(i, end + 1);
      tokens.push({ kind: 'string', text, line });
      line += text.split('\n').length - 1;
      i = end + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^(?:0[xX][0-9a-fA-F_.pP+-]*|[0-9_.]+(?:[eE][+-]?[0-9_]+)?)i?/.exec(
        source.slice(i, i + 80),
      );
      tokens.push({ kind: 'number', text: match![0], line });
      i += match![0].length;
    } else if (IDENT_START.test(c)) {
      let end = i + c.length;
      while (end < source.length && IDENT_PART.test(source[end]!)) end++;
      tokens.push({ kind: 'ident', text: source.slice(i, end), line });
      i = end;
    } else {
      const op = OPERATORS.find((candidate) => source.startsWith(candidate, i)) ?? c;
      tokens.push({ kind: 'op', text: op, line });
      i += op.length;
    }
  }
  newline();
  return tokens;
}

function endsStatement(token: GoToken): boolean {
  if (token.kind === 'op') return ENDS_STATEMENT.has(token.text);
  if (token.kind === 'ident') return !KEYWORDS.has(token.text) || ENDS_STATEMENT.has(token.text);
  return true;
}

/** The index just after the closing quote of the literal opened at `start`, or -1. */
function quotedEnd(source: string, start: number, quote: string): number {
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
    else if (c === '\n') return -1;
  }
  return -1;
}
