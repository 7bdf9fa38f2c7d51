import type { RunResult } from '../../result/result-schema.ts';
import { formatBytes, formatDurationMs, formatTimestamp } from '../../util/format.ts';
import { html, type SafeHtml } from '../page/html.ts';
import { formatThresholdActual } from '../threshold-value.ts';

function runDurationMs(result: RunResult): number | null {
  const durationMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  return Number.isFinite(durationMs) ? durationMs : null;
}

function thresholdsBlock(result: RunResult, runIndex: number): SafeHtml {
  if (result.thresholds.length === 0) {
    return html`<p class="muted">No thresholds in this scenario.</p>`;
  }
  const failed = result.thresholds.filter((t) => !t.passed).length;
  const verdict = failed === 0 ? 'pass' : 'fail';
  return html`<div class="thresholds">
  <p class="verdict ${verdict}" data-run="${runIndex}" data-thresholds="${verdict}">
    <span class="badge ${verdict}">${failed === 0 ? 'PASS' : 'FAIL'}</span>
    ${result.thresholds.length - failed} of ${result.thresholds.length} thresholds met
  </p>
  <table class="compact">
    <thead><tr><th>Threshold</th><th>Phase</th><th class="num">Measured</th><th>Result</th></tr></thead>
    <tbody>
      ${result.thresholds.map(
        (t, i) => html`<tr data-threshold="${i}" class="${t.passed ? 'pass' : 'fail'}">
        <td><code>${t.expression}</code></td>
        <td>${t.phase ?? 'every phase'}</td>
        <td class="num" data-actual="${t.actual ?? ''}">${formatThresholdActual(t.metric, t.actual)}</td>
        <td><span class="badge ${t.passed ? 'pass' : 'fail'}">${t.passed ? 'pass' : 'fail'}</span></td>
      </tr>`,
      )}
    </tbody>
  </table>
</div>`;
}

/** Scenario name and description, where and when it ran, whether it is complete, and its thresholds. */
export function renderRunHeader(result: RunResult, runIndex: number, runLabel: string | null): SafeHtml {
  const env = result.environment;
  const durationMs = runDurationMs(result);
  return html`<header class="run-header">
  <p class="eyebrow">${runLabel === null ? 'Scenario' : `Run ${runLabel}`}</p>
  <h2 class="scenario-name" data-run="${runIndex}" data-field="name">${result.scenario.name}</h2>
  ${result.scenario.description ? html`<p class="description" data-run="${runIndex}" data-field="description">${result.scenario.description}</p>` : ''}
  ${
    result.partial
      ? html`<p class="warning" role="alert" data-run="${runIndex}" data-field="partial"><strong>Partial run.</strong>
    The run was interrupted; the figures cover only what ran before it stopped.</p>`
      : ''
  }
  <dl class="meta">
    <div><dt>Started</dt><dd data-field="startedAt">${formatTimestamp(result.startedAt)}</dd></div>
    <div><dt>Duration</dt><dd>${durationMs === null ? '—' : formatDurationMs(durationMs)}</dd></div>
    <div><dt>Node</dt><dd data-field="node">${env.node}</dd></div>
    <div><dt>Platform</dt><dd>${env.platform} ${env.arch}</dd></div>
    <div><dt>CPU</dt><dd data-field="cpu">${env.cpuModel}</dd></div>
    <div><dt>Cores</dt><dd data-field="cores">${env.cores}</dd></div>
    <div><dt>Memory</dt><dd>${formatBytes(env.totalMemoryBytes)}</dd></div>
    <div><dt>Commit</dt><dd data-field="commit">${env.gitCommit === null ? 'unknown' : html`<code title="${env.gitCommit}">${env.gitCommit.slice(0, 12)}</code>`}</dd></div>
    <div><dt>Scenario file</dt><dd><code>${result.scenario.file}</code></dd></div>
  </dl>
  ${thresholdsBlock(result, runIndex)}
</header>`;
}
