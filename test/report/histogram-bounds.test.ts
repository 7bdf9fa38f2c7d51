import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { HistogramDecodeError } from '../../src/report/errors.ts';
import {
  checkEncodedHistogramHeader,
  countsArrayLengthFor,
  HistogramBoundsError,
} from '../../src/report/histogram-header.ts';
import { decodeHistogram } from '../../src/report/percentile-curve.ts';
import { readResultFile } from '../../src/report/result-input.ts';
import type { RunResult } from '../../src/result/result-schema.ts';
import { makeRunResult } from '../fixtures/report-results.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Liveness only: the report of a crafted histogram used to run for minutes. */
const CLI_TIMEOUT_MS = 60_000;
let dir = '';

interface Header {
  digits: number;
  lowest: number;
  highest: number;
  /** The counts, ZigZag LEB128 encoded. */
  payload?: readonly number[];
  /** Claimed payload length; the real one by default. */
  payloadLength?: number;
}

/** ZigZag LEB128, as HdrHistogram's V2 payload stores a count (negative: a run of zeros). */
function zigZag(value: number): number[] {
  let rest = value < 0 ? -2 * value - 1 : 2 * value;
  const bytes: number[] = [];
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** A hand-made HdrHistogram V2 in compressed base64: a 40-byte header, the counts, deflated. */
function craftHistogram({ digits, lowest, highest, payload = [], payloadLength }: Header): string {
  const raw = Buffer.alloc(40 + payload.length);
  raw.writeInt32BE(0x1c849313, 0);
  raw.writeInt32BE(payloadLength ?? payload.length, 4);
  raw.writeInt32BE(0, 8);
  raw.writeInt32BE(digits, 12);
  raw.writeBigInt64BE(BigInt(lowest), 16);
  raw.writeBigInt64BE(BigInt(highest), 24);
  raw.writeDoubleBE(1, 32);
  Buffer.from(payload).copy(raw, 40);
  const compressed = deflateSync(raw);
  const framed = Buffer.alloc(8 + compressed.length);
  framed.writeInt32BE(0x1c849314, 0);
  framed.writeInt32BE(compressed.length, 4);
  compressed.copy(framed, 8);
  return framed.toString('base64');
}

/** The histogram of the finding: 1 to 2^62 at five digits, one count near the top of the range. */
const HUGE_RANGE = craftHistogram({
  digits: 5,
  lowest: 1,
  highest: 2 ** 62,
  payload: [...zigZag(-5_000_000), ...zigZag(2 ** 32 - 1)],
});

function withFirstPhaseHistogram(encoded: string, count?: number): RunResult {
  const result = makeRunResult();
  const latency = result.phases[0]!.latency;
  latency.encoded = encoded;
  if (count !== undefined) latency.summary.count = count;
  return result;
}

function runReport(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/report.ts', ...args],
      { cwd: root, timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rpcbench-histogram-bounds-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function headerRefusal(encoded: string): HistogramBoundsError {
  try {
    checkEncodedHistogramHeader(encoded);
  } catch (error) {
    assert.ok(error instanceof HistogramBoundsError, String(error));
    return error;
  }
  assert.fail('the histogram was accepted');
}

test('the crafted histogram is small, as the finding says', () => {
  assert.ok(HUGE_RANGE.length <= 64, `${HUGE_RANGE.length} characters`);
});

test('npm run report refuses a histogram of range 1 to 2^62, exiting 2 naming the file and the field', async () => {
  const file = join(dir, 'huge-range.json');
  await writeFile(file, JSON.stringify(withFirstPhaseHistogram(HUGE_RANGE, 2 ** 32 - 1)));
  const { code, stdout, stderr } = await runReport([file, '--out', join(dir, 'huge-range.html')]);
  assert.equal(code, 2, `stdout: ${stdout}\nstderr: ${stderr}`);
  assert.ok(stderr.includes(file), stderr);
  assert.match(stderr, /phases\[0\]\.latency\.encoded: not a valid HdrHistogram \(highestTrackableValue/);
});

test('reading the result refuses it with ERR_BAD_HISTOGRAM, before decoding', async () => {
  const file = join(dir, 'huge-range-read.json');
  await writeFile(file, JSON.stringify(withFirstPhaseHistogram(HUGE_RANGE)));
  await assert.rejects(readResultFile(file), (error: unknown) => {
    assert.ok(error instanceof HistogramDecodeError, String(error));
    assert.equal(error.code, 'ERR_BAD_HISTOGRAM');
    assert.equal(error.file, file);
    assert.equal(error.fieldPath, 'phases[0].latency.encoded');
    assert.ok(error.message.startsWith(`${file}: phases[0].latency.encoded: `), error.message);
    assert.ok(error.cause instanceof HistogramDecodeError);
    return true;
  });
  assert.throws(
    () => decodeHistogram(HUGE_RANGE, 'phases[0].latency'),
    (error: unknown) =>
      error instanceof HistogramDecodeError &&
      /highestTrackableValue \(\d+\) must be at most 2\^40/.test(error.message),
  );
});

test('significant digits outside 1..5 are refused naming the field', () => {
  for (const digits of [0, 6, -1, 1_000]) {
    const error = headerRefusal(craftHistogram({ digits, lowest: 1, highest: 60_000_000 }));
    assert.equal(error.field, 'numberOfSignificantValueDigits', `digits ${digits}`);
  }
});

test('a lowest value below 1, or above half the highest, is refused', () => {
  assert.equal(
    headerRefusal(craftHistogram({ digits: 3, lowest: 0, highest: 1_000 })).field,
    'lowestTrackableUnitValue',
  );
  assert.equal(
    headerRefusal(craftHistogram({ digits: 3, lowest: 800, highest: 1_000 })).field,
    'lowestTrackableUnitValue',
  );
});

test('a range within bounds but too many buckets at five digits is refused as a counts array too long', () => {
  const error = headerRefusal(craftHistogram({ digits: 5, lowest: 1, highest: 2 ** 40 }));
  assert.equal(error.field, 'counts array');
  assert.match(error.message, /would hold \d+ buckets, more than 2097152/);
});

test('a payload length beyond the data is refused', () => {
  const error = headerRefusal(
    craftHistogram({ digits: 3, lowest: 1, highest: 60_000_000, payloadLength: 1_000_000 }),
  );
  assert.equal(error.field, 'payloadLengthInBytes');
});

test('a histogram whose total count disagrees with its summary is refused naming the file and the field', async () => {
  const histogram = build({ numberOfSignificantValueDigits: 3 });
  for (let value = 1; value <= 100; value++) histogram.recordValue(value);
  const file = join(dir, 'count.json');
  await writeFile(
    file,
    JSON.stringify(withFirstPhaseHistogram(encodeIntoCompressedBase64(histogram), 2 ** 50)),
  );
  await assert.rejects(
    readResultFile(file),
    (error: unknown) =>
      error instanceof HistogramDecodeError &&
      error.message ===
        `${file}: phases[0].latency.encoded: not a valid HdrHistogram (total count 100 differs from summary.count ${2 ** 50})`,
  );
  const { code, stderr } = await runReport([file, '--out', join(dir, 'count.html')]);
  assert.equal(code, 2);
  assert.ok(stderr.includes(`${file}: phases[0].latency.encoded`), stderr);
});

test('what the harness writes is inside the bounds, a histogram grown past an hour included', async () => {
  const grown = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  grown.recordValue(7_200_000_000);
  const header = checkEncodedHistogramHeader(encodeIntoCompressedBase64(grown));
  assert.equal(
    header.countsArrayLength,
    (grown as unknown as { countsArrayLength: number }).countsArrayLength,
  );
  assert.equal(countsArrayLengthFor(1, 60_000_000, 3), 17_408);
  const file = join(dir, 'fixture.json');
  await writeFile(file, JSON.stringify(makeRunResult()));
  const result = await readResultFile(file);
  assert.equal(result.phases.length, 2);
});
