// Draws the report's charts with uPlot from the JSON the page carries. Every figure was computed
// when the page was written; this script only hands arrays to uPlot and wires the toggles.
// Text reaches the page through uPlot's legend (textContent) or through textContent here.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const palette = data.colours;
  const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4]];
  const PERCENTILE_HEIGHT = 340;
  const TIMELINE_HEIGHT = 210;
  const GRID = { stroke: '#e6e9ed', width: 1 };
  const TICKS = { stroke: '#c9d1d9', width: 1, size: 4 };
  const AXIS_FONT = '12px system-ui, sans-serif';
  const LABEL_FONT = '600 12px system-ui, sans-serif';
  const MIN_LOG_MS = 0.001;
  const mounted = [];

  const significant = (value) => String(Number(value.toPrecision(3)));

  function formatMs(ms) {
    if (ms == null) return '—';
    if (ms === 0) return '0';
    if (ms >= 1000) return `${significant(ms / 1000)} s`;
    if (ms >= 1) return `${significant(ms)} ms`;
    return `${significant(ms * 1000)} µs`;
  }

  function formatCount(value) {
    if (value == null) return '—';
    if (value >= 1e6) return `${significant(value / 1e6)}M`;
    if (value >= 1e4) return `${significant(value / 1e3)}k`;
    return String(Math.round(value * 100) / 100);
  }

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
  const colourOf = (series, index) => palette[(series.colourIndex ?? index) % palette.length];

  /** The latency axis in milliseconds, with a tick at each power of ten when logarithmic. */
  const latencyAxis = (log) => ({
    label: 'latency',
    labelFont: LABEL_FONT,
    font: AXIS_FONT,
    grid: GRID,
    ticks: TICKS,
    size: 64,
    values: (_u, splits) => splits.map(formatMs),
    ...(log ? { splits: logSplits, filter: (_u, splits) => splits } : {}),
  });

  function percentileChart(view, logY, width) {
    const tickLabels = new Map(view.ticks.map((tick) => [tick.x, tick.label]));
    const lastX = view.x[view.x.length - 1] ?? 10;
    const y = view.series.map((series) =>
      logY ? series.yMs.map((v) => (v == null ? null : Math.max(v, MIN_LOG_MS))) : series.yMs,
    );
    const options = {
      width,
      height: PERCENTILE_HEIGHT,
      cursor: { drag: { x: true, y: false }, points: { size: 7 } },
      scales: {
        x: { time: false, distr: 3, log: 10, range: () => [1, Math.max(lastX, 10)] },
        y: logY ? { distr: 3, log: 10 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        {
          label: 'percentile',
          labelFont: LABEL_FONT,
          font: AXIS_FONT,
          grid: GRID,
          ticks: TICKS,
          splits: (_u, _axis, min, max) => view.ticks.map((t) => t.x).filter((x) => x >= min && x <= max),
          // uPlot thins log-axis labels to powers of ten by default; these ticks are already chosen.
          filter: (_u, splits) => splits,
          values: (_u, splits) => splits.map((x) => tickLabels.get(x) ?? ''),
        },
        latencyAxis(logY),
      ],
      series: [
        { label: 'percentile', value: (_u, _v, _s, index) => (index == null ? '—' : view.xLabels[index]) },
        ...view.series.map((series, i) => ({
          label: series.label,
          stroke: colourOf(series, i),
          width: 2,
          dash: DASHES[(series.dashIndex ?? 0) % DASHES.length],
          points: { show: false },
          value: (_u, v) => formatMs(v),
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

  /** A fresh object per chart: uPlot keeps state in the options it is given. */
  const secondAxis = () => ({
    font: AXIS_FONT,
    grid: GRID,
    ticks: TICKS,
    // Whole seconds only: each point is one second.
    incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600],
    values: (_u, splits) => splits.map((s) => `${s} s`),
  });

  function shareTimelineChart(spec, width) {
    const options = {
      width,
      height: TIMELINE_HEIGHT,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, percent: { range: [0, 100] } },
      hooks: { draw: [(u) => drawMarks(u, spec.marks)] },
      axes: [
        secondAxis(),
        {
          scale: 'percent',
          font: AXIS_FONT,
          grid: GRID,
          ticks: TICKS,
          size: 52,
          values: (_u, s) => s.map((v) => `${v} %`),
        },
      ],
      series: [
        { label: 'second', value: (_u, v) => (v == null ? '—' : `${v} s`) },
        ...spec.servers.map((address, i) => ({
          label: address,
          scale: 'percent',
          stroke: palette[i % palette.length],
          width: 1.5,
          dash: DASHES[i % DASHES.length],
          value: (_u, v) => (v == null ? '—' : `${significant(v)} %`),
        })),
      ],
    };
    return [options, [spec.seconds, ...spec.percent], TIMELINE_HEIGHT];
  }

  const xAxis = () => ({
    font: AXIS_FONT,
    grid: GRID,
    ticks: TICKS,
    values: (_u, splits) => splits.map((s) => `${significant(s)} s`),
  });
  const xSeries = { label: 'from', value: (_u, v) => (v == null ? '—' : `${significant(v)} s`) };

  /** Calls per second and errors per second by code, interval by interval. */
  function rateChart(view, width) {
    const codes = Object.keys(view.errorsByCode);
    const options = {
      width,
      height: TIMELINE_HEIGHT,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, calls: { range: (_u, _min, max) => [0, Math.max(max, 1) * 1.1] } },
      axes: [
        xAxis(),
        {
          scale: 'calls',
          font: AXIS_FONT,
          grid: GRID,
          ticks: TICKS,
          size: 52,
          values: (_u, s) => s.map(formatCount),
        },
      ],
      series: [
        xSeries,
        {
          label: 'calls/s',
          scale: 'calls',
          stroke: palette[0],
          fill: `${palette[0]}1a`,
          width: 2,
          value: (_u, v) => formatCount(v),
        },
        ...codes.map((code, i) => ({
          label: `${code}/s`,
          scale: 'calls',
          stroke: palette[(i + 1) % palette.length],
          width: 1.5,
          points: { show: true, size: 4 },
          value: (_u, v) => formatCount(v),
        })),
      ],
    };
    return [options, [view.seconds, view.callsPerSecond, ...codes.map((code) => view.errorsByCode[code])]];
  }

  /** p50, p99 and max latency, interval by interval. */
  function latencyChart(view, width) {
    const line = (label, colour, dash) => ({
      label,
      scale: 'ms',
      stroke: colour,
      width: 1.5,
      dash,
      value: (_u, v) => formatMs(v),
    });
    const options = {
      width,
      height: TIMELINE_HEIGHT,
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, ms: { range: (_u, _min, max) => [0, Math.max(max, MIN_LOG_MS) * 1.15] } },
      axes: [
        xAxis(),
        {
          scale: 'ms',
          font: AXIS_FONT,
          grid: GRID,
          ticks: TICKS,
          size: 60,
          values: (_u, s) => s.map(formatMs),
        },
      ],
      series: [
        xSeries,
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

  function capacityChart(spec, width) {
    const pointsOnly = (colour) => ({ show: true, size: 8, stroke: colour, fill: colour });
    const options = {
      width,
      height: TIMELINE_HEIGHT,
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: { time: false, distr: 3, log: 10 },
        ms: { distr: 3, log: 10 },
      },
      axes: [
        {
          label: 'achieved calls/s',
          labelFont: LABEL_FONT,
          font: AXIS_FONT,
          grid: GRID,
          ticks: TICKS,
          splits: logSplits,
          filter: (_u, splits) => splits,
          values: (_u, splits) => splits.map(formatCount),
        },
        { scale: 'ms', ...latencyAxis(true) },
      ],
      series: [
        { label: 'achieved', value: (_u, v) => (v == null ? '—' : `${formatCount(v)}/s`) },
        { label: 'p50', scale: 'ms', stroke: palette[0], width: 1.5, value: (_u, v) => formatMs(v) },
        {
          label: 'p99, met',
          scale: 'ms',
          stroke: palette[2],
          width: 0,
          points: pointsOnly(palette[2]),
          value: (_u, v) => formatMs(v),
        },
        {
          label: 'p99, missed',
          scale: 'ms',
          stroke: palette[1],
          width: 0,
          points: pointsOnly(palette[1]),
          value: (_u, v) => formatMs(v),
        },
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

  function draw(entry) {
    const { element, spec, state } = entry;
    entry.plot?.destroy();
    entry.plot = null;
    try {
      const width = widthOf(element);
      const [options, series, height] =
        spec.kind === 'timeline'
          ? timelineChart(spec, state.view, width)
          : spec.kind === 'share-timeline'
            ? shareTimelineChart(spec, width)
            : spec.kind === 'capacity'
              ? capacityChart(spec, width)
              : percentileChart(spec.views[state.view], state.logY, width);
      entry.height = height;
      entry.plot = new uPlot(options, series, element);
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
  function wireTimelineControls() {
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

  for (const element of document.querySelectorAll('[data-chart]')) {
    const spec = data.charts[element.dataset.chart];
    if (!spec) continue;
    const logY = document.querySelector(`[data-controls-for="${element.id}"] [data-log-y]`)?.checked ?? false;
    const entry = { element, spec, state: { view: spec.initialView, logY }, plot: null, height: 0 };
    mounted.push(entry);
    draw(entry);
    wireControls(entry);
  }

  wireTimelineControls();

  function resizeAll() {
    for (const entry of mounted) entry.plot?.setSize({ width: widthOf(entry.element), height: entry.height });
  }

  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(resizeAll);
  });
  // Paper is narrower than most screens: fit the charts to the printed column, then back.
  window.matchMedia('print').addEventListener('change', resizeAll);
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);

  document.documentElement.dataset.chartsReady = String(mounted.filter((entry) => entry.plot).length);
})();
