// Draws the report's charts with uPlot from the JSON the page carries. Every figure was computed
// when the page was written; this script only hands arrays to uPlot and wires the toggles.
// Text reaches the page through uPlot's legend (textContent) or through textContent here.

const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4]];
const PERCENTILE_HEIGHT = 340;
const TIMELINE_HEIGHT = 210;
const GRID = { stroke: '#e6e9ed', width: 1 };
const TICKS = { stroke: '#c9d1d9', width: 1, size: 4 };
const AXIS_FONT = '12px system-ui, sans-serif';
const LABEL_FONT = '600 12px system-ui, sans-serif';
const MIN_LOG_MS = 0.001;
const NO_VALUE = '—';
const SECONDS_TITLE = 'time from the phase start (s)';

const significant = (value) => String(Number(value.toPrecision(3)));

function formatMs(ms) {
  if (ms == null) return NO_VALUE;
  if (ms === 0) return '0';
  if (ms >= 1000) return `${significant(ms / 1000)} s`;
  if (ms >= 1) return `${significant(ms)} ms`;
  return `${significant(ms * 1000)} µs`;
}

function formatCount(value) {
  if (value == null) return NO_VALUE;
  if (value >= 1e6) return `${significant(value / 1e6)}M`;
  if (value >= 1e4) return `${significant(value / 1e3)}k`;
  return String(Math.round(value * 100) / 100);
}

/** The one unit a linear latency axis is written in, chosen by its largest value. */
function latencyUnit(maxMs) {
  if (maxMs >= 1000) return { name: 's', perMs: 0.001 };
  if (maxMs >= 1) return { name: 'ms', perMs: 1 };
  return { name: 'µs', perMs: 1000 };
}

function lastDefined(values) {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] != null) return i;
  return -1;
}

/**
 * A legend value that shows the series' last point until the cursor is on the chart (uPlot shows
 * `—` without a cursor): the legend reads as a summary before anyone hovers, and again after.
 */
const legendValue =
  (format, lastSuffix = '') =>
  (u, v, sidx, idx) => {
    if (idx != null) return v == null ? NO_VALUE : format(v, idx);
    const values = u.data[sidx] ?? [];
    const last = lastDefined(values);
    return last < 0 ? NO_VALUE : `${format(values[last], last)}${lastSuffix}`;
  };

/** Log-axis ticks at 1-2-5 steps, fewer when the axis spans many decades. */
function logSplits(_u, _axis, min, max) {
  const decades = Math.log10(max / min);
  const steps = decades > 4 ? [1] : decades > 2 ? [1, 3] : [1, 2, 5];
  const splits = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const step of steps) {
      const value = Number((step * 10 ** e).toPrecision(3));
      if (value >= min && value <= max) splits.push(value);
    }
  }
  return splits;
}

const widthOf = (element) => Math.max(300, Math.floor(element.getBoundingClientRect().width));

/** An axis with a title; a fresh object per chart, as uPlot keeps state in the options it is given. */
const axis = (label, extra = {}) => ({
  label,
  labelFont: LABEL_FONT,
  font: AXIS_FONT,
  grid: GRID,
  ticks: TICKS,
  ...extra,
});

/** The latency axis of a log scale, with units on each tick: it spans µs to s. */
const logLatencyAxis = (label) =>
  axis(label, {
    size: 64,
    values: (_u, splits) => splits.map(formatMs),
    splits: logSplits,
    filter: (_u, splits) => splits,
  });

/** Set from the page's data before any chart is drawn. */
let palette = [];
const colourOf = (series, index) => palette[(series.colourIndex ?? index) % palette.length];

function percentileChart(view, logY, width) {
  const tickLabels = new Map(view.ticks.map((tick) => [tick.x, tick.label]));
  const lastX = view.x[view.x.length - 1] ?? 10;
  const y = view.series.map((series) =>
    logY ? series.yMs.map((v) => (v == null ? null : Math.max(v, MIN_LOG_MS))) : series.yMs,
  );
  const latency = logY
    ? logLatencyAxis('latency')
    : axis('latency', { size: 64, values: (_u, splits) => splits.map(formatMs) });
  const options = {
    width,
    height: PERCENTILE_HEIGHT,
    cursor: { drag: { x: true, y: false }, points: { size: 7 } },
    scales: {
      x: { time: false, distr: 3, log: 10, range: () => [1, Math.max(lastX, 10)] },
      y: logY ? { distr: 3, log: 10 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
    },
    axes: [
      axis('percentile', {
        splits: (_u, _axis, min, max) => view.ticks.map((t) => t.x).filter((x) => x >= min && x <= max),
        // uPlot thins log-axis labels to powers of ten by default; these ticks are already chosen.
        filter: (_u, splits) => splits,
        values: (_u, splits) => splits.map((x) => tickLabels.get(x) ?? ''),
      }),
      latency,
    ],
    series: [
      { label: 'percentile', value: legendValue((_v, index) => view.xLabels[index]) },
      ...view.series.map((series, i) => ({
        label: series.label,
        stroke: colourOf(series, i),
        width: 2,
        dash: DASHES[(series.dashIndex ?? 0) % DASHES.length],
        points: { show: false },
        value: legendValue(formatMs),
      })),
    ],
  };
  return [options, [view.x, ...y], PERCENTILE_HEIGHT];
}

/** Ejections (solid) and returns (dashed) as vertical lines, in the colour of the ejected server. */
function drawMarks(u, marks) {
  if (!marks || marks.length === 0) return;
  const { ctx, bbox } = u;
  ctx.save();
  // Two device pixels wide at a whole pixel: crisp, not two half-transparent columns.
  ctx.lineWidth = 2 * Math.max(1, Math.round(devicePixelRatio));
  for (const mark of marks) {
    const x = Math.round(u.valToPos(mark.second, 'x', true));
    if (x < bbox.left || x > bbox.left + bbox.width) continue;
    ctx.strokeStyle = palette[Math.max(0, mark.server) % palette.length];
    ctx.setLineDash(mark.kind === 'ejected' ? [] : [4 * devicePixelRatio, 3 * devicePixelRatio]);
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}

/** Whole seconds only on the share timeline: each of its points is a whole interval. */
const secondAxis = () =>
  axis(SECONDS_TITLE, {
    incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600],
    values: (_u, splits) => splits.map((s) => `${s}`),
  });

const secondsLegend = () => ({ label: 'from', value: legendValue((v) => `${significant(v)} s`, ' (last)') });

function shareTimelineChart(spec, width) {
  const options = {
    width,
    height: TIMELINE_HEIGHT,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false }, percent: { range: [0, 100] } },
    hooks: { draw: [(u) => drawMarks(u, spec.marks)] },
    axes: [secondAxis(), axis('share of calls (%)', { scale: 'percent', size: 52 })],
    series: [
      secondsLegend(),
      ...spec.servers.map((label, i) => ({
        label,
        scale: 'percent',
        stroke: palette[i % palette.length],
        width: 1.5,
        dash: DASHES[i % DASHES.length],
        value: legendValue((v) => `${significant(v)} %`),
      })),
    ],
  };
  return [options, [spec.seconds, ...spec.percent], TIMELINE_HEIGHT];
}

const timeAxis = () => axis(SECONDS_TITLE, { values: (_u, splits) => splits.map((s) => significant(s)) });

/** Offered and achieved calls per second, errors per second by code, and ok calls in flight (right axis). */
function rateChart(view, width) {
  const codes = Object.keys(view.errorsByCode);
  const perSecond = (label, colour, extra) => ({
    label,
    scale: 'calls',
    stroke: colour,
    width: 1.5,
    value: legendValue(formatCount),
    ...extra,
  });
  const options = {
    width,
    height: TIMELINE_HEIGHT,
    cursor: { drag: { x: true, y: false } },
    scales: {
      x: { time: false },
      calls: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.1] },
      flight: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.1] },
    },
    axes: [
      timeAxis(),
      axis('calls / s', { scale: 'calls', size: 56, values: (_u, s) => s.map(formatCount) }),
      axis('ok calls in flight', {
        scale: 'flight',
        side: 1,
        grid: { show: false },
        size: 52,
        values: (_u, s) => s.map(formatCount),
      }),
    ],
    series: [
      secondsLegend(),
      perSecond('achieved/s', palette[0], { fill: `${palette[0]}1a`, width: 2 }),
      perSecond('offered/s', palette[4], { dash: [6, 3] }),
      ...codes.map((code, i) =>
        perSecond(`${code}/s`, palette[[1, 3, 2, 6][i % 4]], { points: { show: true, size: 4 } }),
      ),
      {
        label: 'in flight',
        scale: 'flight',
        stroke: palette[5],
        width: 1,
        dash: [2, 3],
        value: legendValue(formatCount),
      },
    ],
  };
  const data = [view.seconds, view.achievedPerSecond, view.offeredPerSecond];
  return [options, [...data, ...codes.map((code) => view.errorsByCode[code]), view.okInFlight]];
}

/** p50, p99 and max latency, interval by interval, in one unit named in the axis title. */
function latencyChart(view, width) {
  const unit = latencyUnit(Math.max(0, ...view.maxMs));
  const line = (label, colour, dash) => ({
    label,
    scale: 'ms',
    stroke: colour,
    width: 1.5,
    dash,
    value: legendValue(formatMs),
  });
  const options = {
    width,
    height: TIMELINE_HEIGHT,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false }, ms: { range: (_u, _min, max) => [0, Math.max(max, MIN_LOG_MS) * 1.15] } },
    axes: [
      timeAxis(),
      axis(`latency (${unit.name})`, {
        scale: 'ms',
        size: 60,
        values: (_u, s) => s.map((ms) => significant(ms * unit.perMs)),
      }),
    ],
    series: [
      secondsLegend(),
      line('p50', palette[0], []),
      line('p99', palette[2], [6, 3]),
      line('max', palette[1], [2, 3]),
    ],
  };
  return [options, [view.seconds, view.p50Ms, view.p99Ms, view.maxMs]];
}

function timelineChart(spec, viewKey, width) {
  const view = spec.views[viewKey] ?? spec.views[spec.initialView];
  const [options, series] = spec.panel === 'rate' ? rateChart(view, width) : latencyChart(view, width);
  options.hooks = { draw: [(u) => drawMarks(u, spec.marks)] };
  return [options, series, TIMELINE_HEIGHT];
}

/** The latency objectives as dashed horizontal lines, each with its expression. */
function drawObjectives(u, objectives) {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.strokeStyle = '#57606a';
  ctx.fillStyle = '#57606a';
  ctx.lineWidth = Math.max(1, Math.round(devicePixelRatio));
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  for (const objective of objectives) {
    const y = Math.round(u.valToPos(objective.ms, 'ms', true));
    if (y < bbox.top || y > bbox.top + bbox.height) continue;
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
    ctx.fillText(objective.label, bbox.left + 4 * devicePixelRatio, y - 4 * devicePixelRatio);
  }
  ctx.restore();
}

/** The y range of a capacity chart: its points and its objective lines, with room on a log scale. */
function capacityRange(spec) {
  const values = [
    ...spec.p50Ms,
    ...spec.p99PassedMs,
    ...spec.p99FailedMs,
    ...spec.objectives.map((o) => o.ms),
  ].filter((v) => v != null && v > 0);
  if (values.length === 0) return [MIN_LOG_MS, 1];
  return [Math.max(MIN_LOG_MS, Math.min(...values) / 1.5), Math.max(...values) * 1.5];
}

function capacityChart(spec, width) {
  const pointsOnly = (colour) => ({ show: true, size: 8, stroke: colour, fill: colour });
  const p99 = (label, colour) => ({
    label,
    scale: 'ms',
    stroke: colour,
    width: 0,
    points: pointsOnly(colour),
    value: legendValue(formatMs),
  });
  const options = {
    width,
    height: TIMELINE_HEIGHT,
    cursor: { drag: { x: true, y: false } },
    scales: {
      x: { time: false, distr: 3, log: 10, range: () => spec.xRange },
      ms: { distr: 3, log: 10, range: () => capacityRange(spec) },
    },
    hooks: { draw: [(u) => drawObjectives(u, spec.objectives)] },
    axes: [
      axis('achieved calls / s', {
        splits: logSplits,
        filter: (_u, splits) => splits,
        values: (_u, splits) => splits.map(formatCount),
      }),
      { scale: 'ms', ...logLatencyAxis('latency') },
    ],
    series: [
      { label: 'achieved', value: legendValue((v) => `${formatCount(v)}/s`, ' (top step)') },
      { label: 'p50', scale: 'ms', stroke: palette[0], width: 1.5, value: legendValue(formatMs) },
      p99('p99, met', palette[2]),
      p99('p99, missed', palette[1]),
    ],
  };
  const positive = (values) => values.map((v) => (v == null ? null : Math.max(v, MIN_LOG_MS)));
  return [
    options,
    [spec.achievedPerSecond, positive(spec.p50Ms), positive(spec.p99PassedMs), positive(spec.p99FailedMs)],
    TIMELINE_HEIGHT,
  ];
}

function showFailure(element, error) {
  const message = document.createElement('p');
  message.className = 'warning';
  message.textContent = `This chart could not be drawn: ${error?.message ?? error}`;
  element.replaceChildren(message);
  console.error(error);
}

/** uPlot's options, data and height for a chart in its current state. */
function chartOf(spec, state, width) {
  if (spec.kind === 'timeline') return timelineChart(spec, state.view, width);
  if (spec.kind === 'share-timeline') return shareTimelineChart(spec, width);
  if (spec.kind === 'capacity') return capacityChart(spec, width);
  return percentileChart(spec.views[state.view], state.logY, width);
}

function draw(entry) {
  const { element, spec, state } = entry;
  entry.plot?.destroy();
  entry.plot = null;
  try {
    const [options, series, height] = chartOf(spec, state, widthOf(element));
    entry.height = height;
    entry.plot = new uPlot(options, series, element);
    // The titles are drawn on the canvas; the element names them too, for readers and tests.
    element.dataset.axisTitles = options.axes.map((a) => a.label ?? '').join(' | ');
  } catch (error) {
    showFailure(element, error);
  }
}

function wireControls(entry) {
  const controls = document.querySelector(`[data-controls-for="${entry.element.id}"]`);
  if (!controls) return;
  const serverScope = controls.querySelector('.server-scope');
  const serverSelect = controls.querySelector('[data-server-view]');
  const update = () => {
    const lines = controls.querySelector('input[type="radio"]:checked');
    const byServer = lines?.value === 'server';
    if (serverScope) serverScope.hidden = !byServer;
    const viewSelect = controls.querySelector('[data-view-select]');
    entry.state.view =
      byServer && serverSelect ? serverSelect.value : (viewSelect?.value ?? entry.spec.initialView);
    entry.state.logY = controls.querySelector('[data-log-y]')?.checked ?? false;
    draw(entry);
  };
  for (const input of controls.querySelectorAll('input, select')) input.addEventListener('change', update);
}

/** One select switches both panels of a phase's timeline between the phase and one server. */
function wireTimelineControls(mounted) {
  for (const controls of document.querySelectorAll('[data-timeline-controls]')) {
    const ids = controls.dataset.timelineControls.split(' ');
    const select = controls.querySelector('[data-timeline-view]');
    select?.addEventListener('change', () => {
      for (const entry of mounted.filter((m) => ids.includes(m.element.id))) {
        entry.state.view = select.value;
        draw(entry);
      }
    });
  }
}

function mountCharts(charts) {
  const mounted = [];
  for (const element of document.querySelectorAll('[data-chart]')) {
    const spec = charts[element.dataset.chart];
    if (!spec) continue;
    const logY = document.querySelector(`[data-controls-for="${element.id}"] [data-log-y]`)?.checked ?? false;
    const entry = { element, spec, state: { view: spec.initialView, logY }, plot: null, height: 0 };
    mounted.push(entry);
    draw(entry);
    wireControls(entry);
  }
  return mounted;
}

/** Redraws at the new width on a resize, and fits the printed column, then back. */
function wireResize(mounted) {
  const resizeAll = () => {
    for (const entry of mounted) entry.plot?.setSize({ width: widthOf(entry.element), height: entry.height });
  };
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(resizeAll);
  });
  window.matchMedia('print').addEventListener('change', resizeAll);
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
}

function main() {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  palette = data.colours;
  const mounted = mountCharts(data.charts);
  wireTimelineControls(mounted);
  wireResize(mounted);
  document.documentElement.dataset.chartsReady = String(mounted.filter((entry) => entry.plot).length);
}

main();
