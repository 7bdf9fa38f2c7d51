import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { renderGateMarkdown } from '../../../src/gate/summary.ts';
import { renderTimelineCsv } from '../../../src/report/exports/csv.ts';
import { renderJunitXml } from '../../../src/report/exports/junit.ts';
import { renderRunMarkdown } from '../../../src/report/exports/markdown.ts';
import { formatMetric } from '../../../src/report/text-summary.ts';
import { readResult } from '../../../src/result/result-file.ts';
import type { RunResult } from '../../../src/result/result-schema.ts';
import { makeHostileResult, makeRunResult } from '../../fixtures/report-results.ts';
import { runCli } from '../../fixtures/run-cli.ts';

/** RFC 4180 fields of one CSV text: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  assert.equal(field, '', 'the CSV ends with a line break');
  return rows;
}

/** Every element closed in order, attributes quoted: what any XML reader needs. */
function assertWellFormedXml(text: string): void {
  const body = text.replace(/^<\?xml[^>]*\?>\n/, '');
  const stack: string[] = [];
  for (const match of body.matchAll(
    /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<&]*(?:&[a-z]+;[^"<&]*)*")*)\s*(\/?)>/g,
  )) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name!);
  }
  assert.deepEqual(stack, [], 'every element is closed');
  assert.doesNotMatch(body.replace(/<[^>]*>/g, ''), /[<>]|&(?!(amp|lt|gt|quot|#39);)/, 'text is escaped');
}

function junitCases(xml: string): { name: string; failed: boolean }[] {
  return [...xml.matchAll(/<testcase classname="[^"]*" name="([^"]*)">([\s\S]*?)<\/testcase>/g)].map((m) => ({
    name: m[1]!,
    failed: m[2]!.includes('<failure'),
  }));
}

test('CSV: one row per timeline interval and phase, with every figure of the entry', () => {
  const result = makeRunResult();
  const rows = parseCsv(renderTimelineCsv([result]));
  const [header, ...data] = rows;
  const codes = [
    ...new Set(
      result.phases.flatMap((phase) => phase.timeline.flatMap((entry) => Object.keys(entry.errorsByCode))),
    ),
  ];
  assert.deepEqual(
    [...header!].sort(),
    [
      'scenario',
      'phase',
      'intervalStartMs',
      'intervalMs',
      'calls',
      'errors',
      ...codes.map((code) => `errorsByCode.${code}`),
      'p50Us',
      'p99Us',
      'maxUs',
    ].sort(),
  );
  const column = (name: string) => header!.indexOf(name);
  const expected = result.phases.flatMap((phase) =>
    phase.timeline.map((entry) => [
      result.scenario.name,
      phase.label,
      String(entry.startMs),
      String(entry.durationMs),
      String(entry.calls),
      String(entry.p99Us),
    ]),
  );
  assert.ok(expected.length > 2);
  assert.deepEqual(
    data.map((row) =>
      ['scenario', 'phase', 'intervalStartMs', 'intervalMs', 'calls', 'p99Us'].map(
        (name) => row[column(name)],
      ),
    ),
    expected,
  );
});

test('CSV: entries in milliseconds with nested counts become columns; hostile text stays one field', () => {
  const result = makeHostileResult();
  const phase = result.phases[0]!;
  const timeline = [
    {
      startMs: 0,
      durationMs: 100,
      calls: 5,
      errors: 1,
      errorsByCode: { ERR_CALL_TIMEOUT: 1 },
      p50Us: 10,
      p99Us: 20,
    },
    { startMs: 100, durationMs: 100, calls: 7, errors: 0, errorsByCode: {}, p50Us: 11, p99Us: 30 },
  ];
  const modified = {
    ...result,
    phases: [{ ...phase, label: '=cmd|"a",\nb', timeline: timeline as unknown as typeof phase.timeline }],
  } as RunResult;
  const [header, first, second] = parseCsv(renderTimelineCsv([modified]));
  assert.deepEqual(header, [
    'scenario',
    'phase',
    'intervalStartMs',
    'intervalMs',
    'calls',
    'errors',
    'errorsByCode.ERR_CALL_TIMEOUT',
    'p50Us',
    'p99Us',
  ]);
  assert.equal(first![1], `'=cmd|"a",\nb`);
  assert.deepEqual(first!.slice(2), ['0', '100', '5', '1', '1', '10', '20']);
  assert.deepEqual(second!.slice(2), ['100', '100', '7', '0', '', '11', '30']);
});

test('JUnit: one test case per threshold and phase, a failure for each that did not hold', () => {
  const passing = makeRunResult({ thresholdExpression: 'p99 < 1s' });
  const hostile = makeHostileResult();
  const failing: RunResult = {
    ...passing,
    partial: true,
    thresholds: [
      { expression: 'p95 < 1us', metric: 'p95Us', phase: 'cached', actual: 180, passed: false },
      { expression: 'errors < 1%', metric: 'errorPercent', phase: 'dial', actual: 0.2, passed: true },
    ],
  };
  const xml = renderJunitXml([failing, hostile]);
  assertWellFormedXml(xml);
  assert.match(
    xml,
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="rpcbench" tests="\d+" failures="\d+"/,
  );
  const cases = junitCases(xml);
  const expectedCount = failing.thresholds.length + 1 + hostile.thresholds.length + (hostile.partial ? 1 : 0);
  assert.equal(cases.length, expectedCount);
  assert.deepEqual(cases.slice(0, 3), [
    { name: 'cached: p95 &lt; 1us', failed: true },
    { name: 'dial: errors &lt; 1%', failed: false },
    { name: 'run completed', failed: true },
  ]);
  const failures = Number(/<testsuites [^>]*failures="(\d+)"/.exec(xml)![1]);
  assert.equal(failures, cases.filter((c) => c.failed).length);
  assert.ok(
    xml.includes(`<failure message="p95 &lt; 1us: measured ${formatMetric('p95Us', 180)}" type="threshold">`),
  );
});

test('Markdown: the phase table with the scenario percentiles and each threshold, no markup from names', () => {
  const result = makeHostileResult();
  result.scenario.config = { ...result.scenario.config, percentiles: [50, 95] };
  const markdown = renderRunMarkdown([result]);
  assert.match(markdown, /^## rpcbench /);
  assert.match(
    markdown,
    /^\| phase \| calls\/s \| offered\/s \| ok \| p50 \| p95 \| max \| errors \| dropped \| jain \| χ² p \|$/m,
  );
  assert.equal(markdown.match(/^\| (?!phase \||---)/gm)?.length, countRows(result));
  assert.doesNotMatch(markdown, /<script|<img/i);
});

function countRows(result: RunResult): number {
  const servers = result.phases.reduce((sum, phase) => sum + phase.servers.length, 0);
  const thresholds = result.thresholds.length;
  // The thresholds' table has its own header row, which the count includes.
  return result.phases.length + servers + thresholds + (thresholds > 0 ? 1 : 0);
}

test('the gate and the bench Markdown share one table renderer', () => {
  const gate = renderGateMarkdown({
    passed: true,
    rows: [
      { metric: 'a|b', baseline: '1', now: '2', ratio: '2', interval: '–', verdict: 'ok', failed: false },
    ],
    notes: [],
  });
  assert.match(gate, /^\| a\\\|b \| 1 \| 2 \| 2 \| – \| ok \|$/m);
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-exports-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('bench --csv --junit --markdown write the files; the Markdown is appended to GITHUB_STEP_SUMMARY', async () => {
  const stepSummary = join(dir, 'step-summary.md');
  await writeFile(stepSummary, '# earlier step\n');
  const files = {
    csv: join(dir, 'out/t.csv'),
    junit: join(dir, 'out/t.xml'),
    markdown: join(dir, 'out/t.md'),
  };
  const run = await runCli(
    'bench.ts',
    [
      'test/fixtures/scenarios/threshold-fails.ts',
      '--out',
      dir,
      '--quiet',
      '--csv',
      files.csv,
      '--junit',
      files.junit,
      '--markdown',
      files.markdown,
    ],
    { env: { GITHUB_STEP_SUMMARY: stepSummary }, timeoutMs: 120_000 },
  );
  assert.equal(run.code, 1, run.stderr);
  const resultPath = /wrote (\S+\.json)/.exec(run.stderr)?.[1];
  assert.ok(resultPath !== undefined, run.stderr);
  const result = await readResult(resultPath);
  for (const path of Object.values(files)) assert.match(run.stderr, new RegExp(`wrote ${path}`));

  const csv = parseCsv(await readFile(files.csv, 'utf8'));
  const timeline = result.phases.flatMap((phase) => phase.timeline);
  assert.equal(csv.length - 1, timeline.length);
  const callsColumn = csv[0]!.indexOf('calls');
  assert.equal(
    csv.slice(1).reduce((sum, row) => sum + Number(row[callsColumn]), 0),
    result.phases.reduce((sum, phase) => sum + phase.calls, 0),
  );

  const xml = await readFile(files.junit, 'utf8');
  assertWellFormedXml(xml);
  const cases = junitCases(xml);
  assert.equal(cases.length, result.thresholds.length);
  assert.deepEqual(
    cases.map((c) => c.failed),
    result.thresholds.map((outcome) => !outcome.passed),
  );
  assert.ok(cases.some((c) => c.failed));

  const markdown = await readFile(files.markdown, 'utf8');
  assert.match(markdown, /^## rpcbench threshold-fails: FAIL \(1 of 2 thresholds failed\)$/m);
  assert.equal(await readFile(stepSummary, 'utf8'), `# earlier step\n${markdown}`);
});
