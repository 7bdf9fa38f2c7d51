import type { PhaseResult } from '../result/result-schema.ts';
import { html, type SafeHtml } from './page/html.ts';

/** The phase's label with its select mode and whether clients were reused, as small chips. */
export function renderPhaseTitle(phase: PhaseResult): SafeHtml {
  return html`<span class="phase-label">${phase.label}</span>
  <span class="chip">${phase.mode}</span>
  <span class="chip ${phase.reuseClients ? 'cached' : 'dial'}">${phase.reuseClients ? 'cached clients' : 'dial per call'}</span>`;
}
