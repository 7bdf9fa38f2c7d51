import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createLatencyHistogram,
  createRecordingHistogram,
  encodeHistogram,
  mergeEncoded,
  summarizeHistogram,
} from '../../src/result/histogram.ts';
import { createSeededRandom } from '../../src/util/seeded-random.ts';

test('merging encoded histograms equals recording everything into one', () => {
  const random = createSeededRandom(7);
  const whole = createLatencyHistogram();
  const parts = [createLatencyHistogram(), createLatencyHistogram(), createLatencyHistogram()];
  for (let i = 0; i < 30_000; i++) {
    // A long tail, as latencies have: mostly hundreds of µs, some tens of ms.
    const latencyUs = Math.round(
      100 * Math.exp(3 * random() ** 3) + (random() < 0.01 ? 40_000 * random() : 0),
    );
    whole.recordValue(latencyUs);
    parts[i % parts.length]!.recordValue(latencyUs);
  }
  const merged = mergeEncoded(parts.map(encodeHistogram));
  // Through the encoded form, both are exactly equal.
  assert.deepEqual(summarizeHistogram(merged), summarizeHistogram(mergeEncoded([encodeHistogram(whole)])));
  assert.equal(encodeHistogram(merged), encodeHistogram(whole));
  // Against the original: every figure but max is read from the buckets, so they are equal too.
  const { maxUs, ...figures } = summarizeHistogram(merged);
  const { maxUs: wholeMaxUs, ...wholeFigures } = summarizeHistogram(whole);
  assert.deepEqual(figures, wholeFigures);
  for (const percentile of [0, 10, 50, 75, 90, 99, 99.9, 99.99, 100]) {
    assert.equal(
      merged.getValueAtPercentile(percentile),
      whole.getValueAtPercentile(percentile),
      `p${percentile}`,
    );
  }
  // The encoded form keeps the maximum to the histogram's precision (3 significant digits).
  assert.ok(Math.abs(maxUs - wholeMaxUs) <= wholeMaxUs / 1000, `max ${maxUs} vs ${wholeMaxUs}`);
});

test('an empty list merges to an empty histogram with a zero summary', () => {
  const summary = summarizeHistogram(mergeEncoded([]));
  assert.equal(summary.count, 0);
  assert.equal(summary.p99Us, 0);
  assert.equal(summary.maxUs, 0);
});

test('the WebAssembly histograms the load threads record into encode as the JavaScript ones do', () => {
  const random = createSeededRandom(11);
  const reference = createLatencyHistogram();
  const recording = createRecordingHistogram();
  try {
    for (let i = 0; i < 20_000; i++) {
      // Past the initial range too: both must grow the same way.
      const latencyUs = Math.round(50 + 5_000 * random() ** 4 + (i === 7 ? 90_000_000 : 0));
      reference.recordValue(latencyUs);
      recording.recordValue(latencyUs);
    }
    assert.deepEqual(summarizeHistogram(recording), summarizeHistogram(reference));
    assert.deepEqual(
      summarizeHistogram(mergeEncoded([encodeHistogram(recording)])),
      summarizeHistogram(mergeEncoded([encodeHistogram(reference)])),
    );
  } finally {
    recording.destroy();
  }
});
