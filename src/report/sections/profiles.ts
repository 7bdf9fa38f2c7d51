import type { RunResult } from '../../result/result-schema.ts';
import { html, type SafeHtml } from '../page/html.ts';

/**
 * With --profile: the heaviest functions by self time in each kind of thread (main, load,
 * server), and the `.cpuprofile` files to open in Chrome DevTools or speedscope for the rest.
 */
export function renderProfiles(result: RunResult, runIndex: number): SafeHtml {
  const profiles = result.profiles ?? [];
  if (profiles.length === 0) return html``;
  return html`<section class="block">
  <h3>CPU profiles</h3>
  ${profiles.map(
    (
      profile,
    ) => html`<h4>${profile.kind} threads: ${profile.busyMs.toFixed(0)}&nbsp;ms busy in ${profile.files.length} profile${profile.files.length === 1 ? '' : 's'}</h4>
  <table class="compact" data-run="${runIndex}" data-role="profile" data-kind="${profile.kind}">
    <thead><tr><th>Function</th><th>Where</th><th class="num">self</th><th class="num">share</th></tr></thead>
    <tbody>
      ${profile.top.map(
        (fn) => html`<tr>
        <td data-field="function">${fn.functionName}</td>
        <td>${fn.location}</td>
        <td class="num">${fn.selfMs.toFixed(1)}&nbsp;ms</td>
        <td class="num" data-field="selfPercent">${fn.selfPercent.toFixed(1)}&nbsp;%</td>
      </tr>`,
      )}
    </tbody>
  </table>
  <p class="muted">Files: ${profile.files.map((file, i) => html`${i > 0 ? ', ' : ''}<code>${file}</code>`)}</p>`,
  )}
</section>`;
}
