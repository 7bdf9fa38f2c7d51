import type { RunResult, ThresholdOutcome } from '../../result/result-schema.ts';
import { escapeHtml } from '../../util/escape-html.ts';
import { formatMetric } from '../text-summary.ts';

/**
 * The thresholds of the runs as JUnit XML, the form CI systems (GitHub, GitLab, Jenkins) show as
 * tests: one test suite per scenario, one test case per threshold and phase, a `<failure>` for each
 * that did not hold. An interrupted run adds a failing `run completed` case, as its figures are partial.
 */
export function renderJunitXml(results: readonly RunResult[]): string {
  const suites = results.map((result) => {
    const cases = result.thresholds.map((outcome) => testCase(result, outcome));
    if (result.partial) {
      cases.push(
        `    <testcase classname="${xml(className(result))}" name="run completed">\n` +
          '      <failure message="the run was interrupted: its figures cover only what ran" type="partial"/>\n' +
          '    </testcase>',
      );
    }
    const failures = result.thresholds.filter((outcome) => !outcome.passed).length + (result.partial ? 1 : 0);
    const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1_000;
    return (
      `  <testsuite name="${xml(className(result))}" tests="${cases.length}" failures="${failures}" ` +
      `errors="0" skipped="0" time="${Number.isFinite(seconds) ? seconds.toFixed(3) : '0'}" ` +
      `timestamp="${xml(result.startedAt)}">\n${cases.map((text) => `${text}\n`).join('')}  </testsuite>`
    );
  });
  const tests = results.reduce((sum, result) => sum + result.thresholds.length + (result.partial ? 1 : 0), 0);
  const failures = results.reduce(
    (sum, result) =>
      sum + result.thresholds.filter((outcome) => !outcome.passed).length + (result.partial ? 1 : 0),
    0,
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="rpcbench" tests="${tests}" failures="${failures}" errors="0">\n` +
    `${suites.map((suite) => `${suite}\n`).join('')}</testsuites>\n`
  );
}

function className(result: RunResult): string {
  return `rpcbench.${result.scenario.name}`;
}

function testCase(result: RunResult, outcome: ThresholdOutcome): string {
  const scoped = outcome.phase === null || outcome.expression.includes(':');
  const name = scoped ? outcome.expression : `${outcome.phase}: ${outcome.expression}`;
  const measured = `measured ${formatMetric(outcome.metric, outcome.actual)}`;
  const open = `    <testcase classname="${xml(className(result))}" name="${xml(name)}">`;
  if (outcome.passed) return `${open}\n      <system-out>${xml(measured)}</system-out>\n    </testcase>`;
  return (
    `${open}\n      <failure message="${xml(`${outcome.expression}: ${measured}`)}" type="threshold">` +
    `${xml(`${name}\n${measured}`)}</failure>\n    </testcase>`
  );
}

/** Text and attribute values; characters XML 1.0 cannot hold at all are dropped. */
function xml(text: string): string {
  return escapeHtml(text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''));
}
