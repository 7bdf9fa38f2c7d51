import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { renderGateMarkdown } from '../../src/gate/summary.ts';
import { renderMarkdownTable, renderTextTable, type TableRow } from '../../src/gate/table.ts';
import { type CliExit, runCli } from '../fixtures/run-cli.ts';

const TINY = 'test/fixtures/gate-scenarios/tiny.ts';
/** Few, short windows: the test checks what is written, not what is measured. */
const QUICK = ['--rounds', '1', '--pairs', '3', '--window-ms', '20', '--remeasure', '0'];

/** Liveness only: a gate run measures for tens of seconds on a loaded machine. */
const GATE_TIMEOUT_MS = 600_000;

function runGate(args: string[], env: Record<string, string>): Promise<CliExit> {
  return runCli('gate.ts', args, { env, timeoutMs: GATE_TIMEOUT_MS });
}

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-gate-summary-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the gate writes its table as Markdown to GITHUB_STEP_SUMMARY', async () => {
  const baseline = join(dir, 'baseline');
  const summary = join(dir, 'summary.md');
  const written = await runGate([TINY, '--write-baseline', '--baseline', baseline, ...QUICK], {
    GITHUB_STEP_SUMMARY: summary,
  });
  assert.equal(written.code, 0);
  const compared = await runGate(
    [TINY, '--baseline', baseline, ...QUICK, '--json', join(dir, 'verdicts.json')],
    {
      GITHUB_STEP_SUMMARY: summary,
    },
  );
  // Three pairs cannot make a one-sided Mann-Whitney p-value fall below 0.01: no regression verdict.
  assert.equal(compared.code, 0);
  const markdown = await readFile(summary, 'utf8');
  // Both runs appended their summary, as GitHub expects of a step.
  assert.equal(markdown.match(/^## Regression gate: pass/gm)?.length, 2);
  assert.match(markdown, /^\| metric \| baseline \| now \| ratio \| CI \| verdict \|$/m);
  assert.match(markdown, /^\| gate-tiny › roundrobin › round-robin fairness \|.*\| ok \|$/m);
  assert.match(
    markdown,
    /^\| gate-tiny › roundrobin › CPU per call ÷ reference \(lower is better\) \| [\d.]+ \(n=3\) \|/m,
  );
  assert.match(compared.stdout, /calls\/s ÷ reference/);
  const verdicts = JSON.parse(await readFile(join(dir, 'verdicts.json'), 'utf8')) as {
    passed: boolean;
    performance: { metric: string; maxSlowdown: number }[];
  };
  assert.equal(verdicts.passed, true);
  // The tiny scenario's own `gate` export sets the CPU limit; throughput keeps the default.
  assert.deepEqual(
    verdicts.performance.map((row) => [row.metric, row.maxSlowdown]),
    [
      ['cost', 0.5],
      ['throughput', 0.25],
    ],
  );
});

test('Markdown cells escape pipes; the text table aligns its columns', () => {
  const rows: TableRow[] = [
    {
      metric: 'a|b',
      baseline: '1',
      now: '2',
      ratio: '2.000',
      interval: '1.9–2.1',
      verdict: 'FAIL',
      failed: true,
    },
  ];
  assert.match(renderMarkdownTable(rows), /\| a\\\|b \| 1 \| 2 \|/);
  const lines = renderTextTable(rows).split('\n');
  assert.equal(lines[0]!.indexOf('baseline'), lines[2]!.indexOf('1  '));
  assert.match(
    renderGateMarkdown({ passed: false, rows, notes: ['note'] }),
    /^## Regression gate: FAIL \(1 of 1 checks failed\)/,
  );
});
