import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const SRC = new URL('../../src', import.meta.url).pathname;
const MAX_LINES = 80;

/** Functions allowed past MAX_LINES, by `file:name`, each with why. */
const EXCEPTIONS: Record<string, string> = {
  'rpc/codec/msgpack-codec.ts:holdsNeverUsed':
    "one switch over MessagePack's type bytes, the format's own table: split, it would cost a call per token",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

/** A function's name as a reader finds it: its own, its variable's or property's, or `<anonymous>` with its line. */
function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  const own = node.name?.getText(source);
  if (own !== undefined) {
    const owner = ts.isClassLike(node.parent) ? node.parent.name?.getText(source) : undefined;
    return owner === undefined ? own : `${owner}.${own}`;
  }
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertyAssignment(parent)) &&
    parent.name
  ) {
    return parent.name.getText(source);
  }
  if (ts.isConstructorDeclaration(node))
    return `${ts.isClassLike(node.parent) ? node.parent.name?.getText(source) : ''}.constructor`;
  return `<anonymous line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}>`;
}

/** Every function, method, constructor, accessor and arrow whose body spans more than MAX_LINES lines. */
function longFunctions(file: string): { name: string; lines: number }[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS,
  );
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const body = node.body as ts.Node;
      const start = source.getLineAndCharacterOfPosition(body.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(body.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_LINES) found.push({ name: nameOf(node as ts.FunctionLikeDeclaration, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const long = sourceFiles(SRC).flatMap((file) =>
  longFunctions(file).map(({ name, lines }) => ({ key: `${relative(SRC, file)}:${name}`, lines })),
);

test(`no source function is longer than ${MAX_LINES} lines, but the listed exceptions`, () => {
  const offending = long
    .filter(({ key }) => !(key in EXCEPTIONS))
    .map(({ key, lines }) => `${key} (${lines} lines)`);
  assert.deepEqual(offending, []);
});

test('every exception still names a long function, and says why', () => {
  const present = new Set(long.map(({ key }) => key));
  assert.deepEqual(
    Object.keys(EXCEPTIONS).filter((key) => !present.has(key)),
    [],
    'remove these exceptions',
  );
  for (const [key, why] of Object.entries(EXCEPTIONS)) assert.ok(why.trim().length > 0, key);
});

test('the measure finds a long function', () => {
  // Guards the measure itself: a walk that found no body would pass every check above.
  const lines = Array.from({ length: MAX_LINES + 1 }, (_, i) => `  const v${i} = ${i};`).join('\n');
  const dir = new URL('../fixtures/', import.meta.url).pathname;
  const source = ts.createSourceFile(
    join(dir, 'x.ts'),
    `const f = () => {\n${lines}\n};`,
    ts.ScriptTarget.Latest,
    true,
  );
  let measured = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isArrowFunction(node)) {
      measured =
        source.getLineAndCharacterOfPosition(node.body.getEnd()).line -
        source.getLineAndCharacterOfPosition(node.body.getStart(source)).line +
        1;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  assert.equal(measured, MAX_LINES + 3);
});
