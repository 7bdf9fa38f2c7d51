/** What the live progress line shows. */
export interface ProgressFields {
  scenario: string;
  phase: string;
  stage: string;
  elapsedSeconds: string;
  totalSeconds: string;
  rate: string;
  p99: string;
  errors: string;
  /** Each load host's figures, ` | a1 1,234 calls p99 2 ms` each, or '' for a local run. */
  hosts?: string;
}

const WIDEST_BAR = 24;
const NARROWEST_BAR = 5;

/**
 * The progress line, fitted to `columns` so that it never wraps (a wrapped line is redrawn as a
 * new one on every update): the bar shrinks first, then goes, then the scenario name, the stage
 * and the phase; the figures stay to the last. At most columns - 1 characters, as a terminal's last column wraps on some.
 */
export function progressLine(fields: ProgressFields, fraction: number, columns: number): string {
  const width = Math.max(20, columns) - 1;
  const figures = `${fields.elapsedSeconds}/${fields.totalSeconds}s | ${fields.rate} calls/s | p99 ${fields.p99} | errors ${fields.errors}${fields.hosts ?? ''}`;
  const head = `${fields.scenario} ${fields.phase} ${fields.stage}`;
  const room = width - head.length - figures.length - 4;
  if (room >= NARROWEST_BAR) {
    const size = Math.min(WIDEST_BAR, room);
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * size);
    return `${head} [${'█'.repeat(filled)}${'░'.repeat(size - filled)}] ${figures}`;
  }
  const candidates = [
    `${head} ${figures}`,
    `${fields.phase} ${fields.stage} ${figures}`,
    `${fields.phase} ${figures}`,
    figures,
  ];
  return candidates.find((line) => line.length <= width) ?? figures.slice(0, width);
}
