import type { RunResult } from '../../result/result-schema.ts';
import { formatCount, formatLatencyUs, formatRate } from '../../util/format.ts';
import { startSkewMs } from '../figures/shown-figures.ts';
import { html, type SafeHtml } from '../page/html.ts';

/** Load from several hosts: each host's share of each phase beside the merged figures. */
export function renderAgents(result: RunResult, runIndex: number): SafeHtml {
  if (result.agents === undefined) return html``;
  const lost = result.agents.lost;
  return html`<section class="block">
  <h3>Load hosts</h3>
  ${lost.length === 0 ? html`` : html`<p data-role="agents-lost">Lost mid-run (lease expired): ${lost.join(', ')}. The figures cover what the others measured.</p>`}
  <table class="compact" data-run="${runIndex}" data-role="agents">
    <thead><tr>
      <th>Phase</th><th>Host</th><th>Machine</th><th class="num">cores</th><th class="num">threads</th>
      <th class="num">calls</th><th class="num">calls/s</th><th class="num">p99</th><th class="num">errors</th><th class="num">start skew</th>
    </tr></thead>
    <tbody>
      ${result.phases.flatMap((phase) =>
        (phase.agents ?? []).map(
          (agent) => html`<tr data-agent="${agent.name}">
        <td>${phase.label}</td>
        <td>${agent.name}</td>
        <td>${agent.host}</td>
        <td class="num">${String(agent.cores)}</td>
        <td class="num">${String(agent.threads)}</td>
        <td class="num" data-field="calls">${formatCount(agent.calls)}</td>
        <td class="num">${formatRate(agent.callsPerSecond)}</td>
        <td class="num">${formatLatencyUs(agent.latency.summary.p99Us)}</td>
        <td class="num">${formatCount(agent.errors)}</td>
        <td class="num">≤&nbsp;${startSkewMs(agent).toFixed(0)}&nbsp;ms</td>
      </tr>`,
        ),
      )}
    </tbody>
  </table>
</section>`;
}
