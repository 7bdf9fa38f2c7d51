import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import {
  buildCurveSet,
  decodeHistogram,
  mergeEncodedHistograms,
  percentileGrid,
  TICKS_PER_HALF_DISTANCE,
} from '../../src/report/percentile-curve.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { formatPercentileOfX } from '../../src/util/format.ts';
import { usToMs } from '../../src/util/units.ts';

function histogramOf(values: readonly number[]): Histogram {
  const histogram = build({ numberOfSignificantValueDigits: 3 });
  for (const value of values) histogram.recordValue(value);
  return histogram;
}

/** A latency-like spread with a tail: 1..count mapped through a square. */
const spread = (count: number, scale: number) =>
  Array.from({ length: count }, (_, i) => Math.round(scale + (i * i) / count));

test('the grid runs from x = 1 to x = count in steps of 2^(1/t)', () => {
  const xs = percentileGrid(5_000);
  assert.equal(xs[0], 1);
  assert.equal(xs.at(-1), 5_000);
  for (let i = 1; i < xs.length - 1; i++) {
    assert.ok(Math.abs(xs[i]! / xs[i - 1]! - 2 ** (1 / TICKS_PER_HALF_DISTANCE)) < 1e-9);
  }
  assert.ok(xs.at(-2)! < 5_000);
  assert.deepEqual(percentileGrid(0), []);
  assert.deepEqual(percentileGrid(1), [1]);
});

test('each point is the latency at p = 1 - 1/x, and the last is the maximum', () => {
  const histogram = histogramOf(spread(20_000, 150));
  const set = buildCurveSet([{ label: 'phase', histogram }]);
  const [series] = set.series;
  assert.equal(series!.label, 'phase');
  set.x.forEach((x, i) => {
    const expectedUs =
      x >= histogram.totalCount ? histogram.maxValue : histogram.getValueAtPercentile(100 * (1 - 1 / x));
    assert.equal(series!.yMs[i], usToMs(expectedUs), `x = ${x}`);
  });
  assert.equal(series!.yMs.at(-1), usToMs(histogram.maxValue));
  assert.equal(set.xLabels[set.x.indexOf(1)], formatPercentileOfX(1));
});

test('curves of different sizes share one x array; the smaller ends where its values end', () => {
  const large = histogramOf(spread(10_000, 200));
  const small = histogramOf(spread(300, 900));
  const set = buildCurveSet([
    { label: 'large', histogram: large },
    { label: 'small', histogram: small },
  ]);
  assert.ok(set.x.includes(300) && set.x.includes(10_000));
  const smallY = set.series[1]!.yMs;
  set.x.forEach((x, i) => {
    if (x > 300) assert.equal(smallY[i], null);
    else assert.equal(typeof smallY[i], 'number');
  });
  assert.equal(smallY[set.x.indexOf(300)], usToMs(small.maxValue));
});

test('ticks are labelled as percentiles: 50 %, 90 %, 99 %, 99.9 %', () => {
  const set = buildCurveSet([{ label: 'phase', histogram: histogramOf(spread(5_000, 100)) }]);
  const labels = set.ticks.map((t) => t.label.replace(/\u00a0/g, ' '));
  assert.deepEqual(labels, ['50 %', '90 %', '99 %', '99.9 %']);
});

test('merging adds the counts of every histogram', () => {
  const a = spread(4_000, 100);
  const b = spread(1_000, 5_000);
  const merged = mergeEncodedHistograms([
    { encoded: encodeIntoCompressedBase64(histogramOf(a)), fieldPath: 'a' },
    { encoded: encodeIntoCompressedBase64(histogramOf(b)), fieldPath: 'b' },
  ]);
  const together = histogramOf([...a, ...b]);
  assert.equal(merged.totalCount, together.totalCount);
  assert.equal(merged.getValueAtPercentile(90), together.getValueAtPercentile(90));
  // Equal within the histogram's precision of three significant digits.
  assert.ok(Math.abs(merged.maxValue - together.maxValue) <= together.maxValue / 1_000);
});

test('a histogram that does not decode is an ERR_BAD_HISTOGRAM naming the field', () => {
  assert.throws(
    () => decodeHistogram('not base64!', 'phases[0].latency'),
    (error: unknown) =>
      isRpcError(error, 'ERR_BAD_HISTOGRAM') && error.message.startsWith('phases[0].latency:'),
  );
});
