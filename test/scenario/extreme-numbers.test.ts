import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateScenario } from '../../src/scenario/scenario-loader.ts';

const EXTREMES = [
  Number.MAX_VALUE,
  1e300,
  2 ** 53,
  -1,
  -Number.MAX_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  0.5,
];

/** Each numeric field of a scenario, and how to set it to `value`. */
const FIELDS: Record<string, (value: number) => Record<string, unknown>> = {
  durationMs: (value) => ({ durationMs: value }),
  warmupMs: (value) => ({ warmupMs: value }),
  calls: (value) => ({ calls: value }),
  clients: (value) => ({ clients: value }),
  loadThreads: (value) => ({ loadThreads: value }),
  payloadBytes: (value) => ({ payloadBytes: value }),
  'load.concurrency': (value) => ({ load: { model: 'closed', concurrency: value } }),
  'load.ratePerSecond': (value) => ({ load: { model: 'open', ratePerSecond: value } }),
  'load.maxInFlight': (value) => ({ load: { model: 'open', ratePerSecond: 10, maxInFlight: value } }),
  'load.stages.durationMs': (value) => ({
    load: { model: 'open', stages: [{ durationMs: value, ratePerSecond: 1 }] },
  }),
};

test('every numeric scenario field refuses the extremes, naming the field, in bounded time', () => {
  for (const [field, set] of Object.entries(FIELDS)) {
    for (const value of EXTREMES) {
      // 0.5 is a fine rate; everything else here is out of every field's range.
      if (value === 0.5 && field === 'load.ratePerSecond') continue;
      const started = performance.now();
      assert.throws(
        () => validateScenario({ name: 'extreme', ...set(value) }, 'extreme.ts'),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'ERR_INVALID_SCENARIO', `${field} = ${value}: ${error.message}`);
          const leaf = field.split('.').at(-1)!;
          assert.ok(error.message.includes(leaf), `${field} = ${value}: ${error.message}`);
          return true;
        },
        `${field} = ${value} was accepted`,
      );
      assert.ok(performance.now() - started < 1_000);
    }
  }
});
