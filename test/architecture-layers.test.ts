import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../src', import.meta.url).pathname;

/**
 * The layers, lowest first. A file may import from its own top-level folder, from any lower
 * layer, and from the siblings listed in SIBLINGS; never upward.
 */
const LAYERS: Record<string, number> = {
  util: 0,
  stats: 0.5,
  rpc: 1,
  registry: 2,
  xclient: 3,
  scenario: 4,
  result: 4,
  harness: 5,
  gate: 6,
  benchmarks: 6,
  report: 6,
  cli: 7,
  'index.ts': 8,
  entry: 8,
};
/** Imports between folders of one layer that the design allows: thresholds are evaluated on results. */
const SIBLINGS = new Set(['scenario->result']);
/** The report reads result files only: it knows nothing of how they were made. */
const REPORT_MAY_IMPORT = new Set(['report', 'result', 'util', 'stats']);
const MAX_SOURCE_FILES_PER_FOLDER = 15;

/**
 * Inside a layer, lowest first: its sub-folders (`name/`) and the files at its top that sit
 * among them (`name.ts`). A file in a sub-folder imports only from its own sub-folder or from
 * entries below it; a listed top file only from sub-folders below it. Top files not listed rank
 * above every entry (the layer's entry points, such as rpc/client.ts). Every sub-folder is listed.
 */
const INSIDE_LAYERS: Record<string, readonly string[]> = {
  rpc: [
    'errors.ts',
    'header.ts',
    'output-buffer.ts',
    'undecodable-value.ts',
    'gob/',
    'go-types/',
    'codec/',
    'handshake.ts',
    'http-head.ts',
    'address.ts',
    'frame-writer.ts',
    'fault-injection.ts',
    'frame-writers.ts',
    'server/',
  ],
  xclient: ['errors.ts', 'select-mode.ts', 'selectors/', 'discovery/', 'outlier/', 'latency/'],
  harness: [
    'errors.ts',
    'threads/',
    'profile/',
    'clients/',
    'metrics/',
    'load/',
    'targets/',
    'servers/',
    'extras/',
    'search/',
    'runner.ts',
    'distributed/',
    'run/',
  ],
  gate: [
    'errors.ts',
    'samples.ts',
    'measure/',
    'correctness.ts',
    'summary.ts',
    'table.ts',
    'verdict.ts',
    'run-gate.ts',
    'duet/',
  ],
  benchmarks: ['go-peer/', 'core/', 'soak/'],
  report: [
    'page/',
    'chart-spec.ts',
    'event-marks.ts',
    'percentile-curve.ts',
    'phase-label.ts',
    'reuse-pairs.ts',
    'search-summary.ts',
    'figures/',
    'threshold-value.ts',
    'comparison/',
    'sections/',
    'text-summary.ts',
    'exports/',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
/** A worker a module starts: a dependency for layering, but not an import that could form a cycle. */
const WORKER_URL = /new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The relative modules a file imports by `pattern`: static, type-only, re-exports and dynamic. */
function modulesOf(file: string, pattern: RegExp): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(pattern)]
    .map((match) => resolve(dirname(file), match[1]!))
    .filter((target) => target.startsWith(SRC));
}

function folderOf(file: string): string {
  return relative(SRC, file).split('/')[0]!;
}

/** The entry of INSIDE_LAYERS a file belongs to: its sub-folder (`load/`), or its name at the top of its layer. */
function entryOf(file: string): string {
  const [, second, third] = relative(SRC, file).split('/');
  if (second === undefined) return '';
  return third === undefined ? second : `${second}/`;
}

/** The rank of a file inside its layer; undefined for a top file that is not listed (it ranks above all). */
function rankInside(file: string): number | undefined {
  const order = INSIDE_LAYERS[folderOf(file)] ?? [];
  const rank = order.indexOf(entryOf(file));
  return rank === -1 ? undefined : rank;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, modulesOf(file, IMPORT)]));
const workers = new Map(files.map((file) => [file, modulesOf(file, WORKER_URL)]));

test('every source folder belongs to a layer', () => {
  const unknown = [...new Set(files.map(folderOf))].filter((folder) => !(folder in LAYERS));
  assert.deepEqual(unknown, []);
});

test('no module imports from a higher layer, and the report reads results only', () => {
  const violations: string[] = [];
  for (const file of files) {
    const from = folderOf(file);
    for (const target of [...graph.get(file)!, ...workers.get(file)!]) {
      const to = folderOf(target);
      if (from === to) continue;
      const allowed = LAYERS[to]! < LAYERS[from]! || SIBLINGS.has(`${from}->${to}`);
      const reportRule = from !== 'report' || REPORT_MAY_IMPORT.has(to);
      if (!allowed || !reportRule) violations.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('every sub-folder of a layer is ranked inside it, and every entry ranked exists', () => {
  const unranked = new Set<string>();
  for (const file of files) {
    const entry = entryOf(file);
    if (entry.endsWith('/') && !(INSIDE_LAYERS[folderOf(file)] ?? []).includes(entry)) {
      unranked.add(`${folderOf(file)}/${entry}`);
    }
  }
  assert.deepEqual([...unranked], [], 'add these sub-folders to INSIDE_LAYERS');
  const present = new Set(files.map((file) => `${folderOf(file)}/${entryOf(file)}`));
  const stale = Object.entries(INSIDE_LAYERS).flatMap(([layer, order]) =>
    order.map((entry) => `${layer}/${entry}`).filter((entry) => !present.has(entry)),
  );
  assert.deepEqual(stale, [], 'these INSIDE_LAYERS entries name nothing');
});

test('inside a layer, no module imports from an entry ranked above its own', () => {
  const violations: string[] = [];
  for (const file of files) {
    const from = rankInside(file);
    // Top files that are not listed rank above every entry: they may import anything in their layer.
    if (from === undefined) continue;
    for (const target of [...graph.get(file)!, ...workers.get(file)!]) {
      const [fromEntry, toEntry] = [entryOf(file), entryOf(target)];
      if (folderOf(target) !== folderOf(file) || toEntry === fromEntry) continue;
      // Between two files at the top of a layer the cycle check below is enough.
      if (!fromEntry.endsWith('/') && !toEntry.endsWith('/')) continue;
      const to = rankInside(target);
      if (to === undefined || to > from)
        violations.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the check inside layers reads the imports a module really has', () => {
  // Guards the checker: load sits above metrics, and load-worker really imports from it.
  const worker = join(SRC, 'harness/load/load-worker.ts');
  const metrics = INSIDE_LAYERS.harness!.indexOf('metrics/');
  const ranks = graph
    .get(worker)!
    .filter((target) => folderOf(target) === 'harness')
    .map(rankInside);
  assert.ok(ranks.includes(metrics), String(ranks));
  assert.ok(rankInside(worker)! > metrics);
});

test('there is no import cycle, type-only imports included', () => {
  // Tarjan's strongly connected components: any component of more than one module is a cycle.
  let index = 0;
  const indexes = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    indexes.set(file, index);
    lowlinks.set(file, index);
    index++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!indexes.has(target)) {
        visit(target);
        lowlinks.set(file, Math.min(lowlinks.get(file)!, lowlinks.get(target)!));
      } else if (onStack.has(target)) {
        lowlinks.set(file, Math.min(lowlinks.get(file)!, indexes.get(target)!));
      }
    }
    if (lowlinks.get(file) === indexes.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(relative(SRC, member));
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!indexes.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

test(`no folder holds more than ${MAX_SOURCE_FILES_PER_FOLDER} source files`, () => {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(dirname(file), (counts.get(dirname(file)) ?? 0) + 1);
  const crowded = [...counts].filter(([, count]) => count > MAX_SOURCE_FILES_PER_FOLDER);
  assert.deepEqual(
    crowded.map(([dir, count]) => `${relative(SRC, dir) || 'src'}: ${count}`),
    [],
  );
});

test('the checker reads the imports a module really has', () => {
  // Guards the checker itself: a pattern that matched nothing would pass every check above.
  const runner = join(SRC, 'harness/runner.ts');
  const folders = new Set(graph.get(runner)!.map(folderOf));
  assert.ok(folders.has('scenario') && folders.has('result'), [...folders].join(', '));
});

/**
 * Where a test file sits. test/ mirrors src/: a test sits in test/<folder>/ for the src/<folder>/ of the
 * module it is named after (test/rpc/gob/primitives.test.ts checks src/rpc/gob/primitives.ts), or, named
 * after a behaviour, in the folder of the module that behaviour belongs to. A test named like a source
 * module sits beside that module's mirror. The top of test/ holds only the tests of the package as a
 * whole, listed here; helpers and fixtures live in test/fixtures/.
 */
const TEST = new URL('.', import.meta.url).pathname;
const FIXTURES = 'fixtures';
const PACKAGE_TESTS = new Set([
  'architecture-layers.test.ts',
  'doc-links.test.ts',
  'package-install.test.ts',
  'public-api.test.ts',
]);

function misplacedTests(): string[] {
  const sourceFolders = new Set(files.map((file) => dirname(relative(SRC, file))));
  const foldersOfModule = new Map<string, string[]>();
  for (const file of files) {
    const name = basename(file).replace(/\.(ts|js)$/, '');
    foldersOfModule.set(name, [...(foldersOfModule.get(name) ?? []), dirname(relative(SRC, file))]);
  }
  const misplaced: string[] = [];
  for (const path of sourceFiles(TEST).map((file) => relative(TEST, file))) {
    const folder = dirname(path);
    const name = basename(path);
    if (path.startsWith(`${FIXTURES}/`)) {
      if (name.endsWith('.test.ts')) misplaced.push(`${path}: a test among the fixtures`);
      continue;
    }
    if (!name.endsWith('.test.ts')) misplaced.push(`${path}: a helper outside test/${FIXTURES}/`);
    else if (folder === '.' && !PACKAGE_TESTS.has(name)) misplaced.push(`${path}: no src folder at the top`);
    else if (folder !== '.' && !sourceFolders.has(folder)) misplaced.push(`${path}: no src/${folder}/`);
    else {
      const homes = foldersOfModule.get(name.replace(/\.test\.ts$/, '')) ?? [folder];
      if (!homes.includes(folder)) misplaced.push(`${path}: named after src/${homes.join('/, src/')}/`);
    }
  }
  return misplaced;
}

test('every test file sits in the folder mirroring the src folder of the module it is named after', () => {
  assert.deepEqual(misplacedTests(), []);
});

test('the placement check sees the test tree', () => {
  // Guards the check: a walk that found nothing would pass it.
  const tests = sourceFiles(TEST).filter((file) => file.endsWith('.test.ts'));
  assert.ok(tests.length > 100, `${tests.length} test files`);
  assert.ok(tests.includes(join(TEST, 'rpc/gob/primitives.test.ts')));
});
