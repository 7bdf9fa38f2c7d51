import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ProgressFields, progressLine } from '../../src/cli/progress-line.ts';

const FIELDS: ProgressFields = {
  scenario: 'roundrobin-with-a-long-scenario-name',
  phase: '2/5 weighted-roundrobin/cached',
  stage: 'measure',
  elapsedSeconds: '12.3',
  totalSeconds: '30.0',
  rate: '123,456',
  p99: '1.25 ms',
  errors: '17',
};

test('the progress line fits the terminal: the bar shrinks, then goes, and the figures stay', () => {
  for (const columns of [200, 120, 80, 60, 40]) {
    const line = progressLine(FIELDS, 0.5, columns);
    assert.ok(line.length <= columns - 1, `${columns} columns: ${line.length} characters: ${line}`);
  }
  assert.match(
    progressLine(FIELDS, 0.5, 200),
    /\[█{12}░{12}\] 12\.3\/30\.0s \| 123,456 calls\/s \| p99 1\.25 ms \| errors 17$/,
  );
  const eighty = progressLine(FIELDS, 0.5, 80);
  assert.doesNotMatch(eighty, /\[/);
  assert.match(eighty, /errors 17$/);
  assert.match(progressLine({ ...FIELDS, scenario: 'rr', phase: '1/1 p2c' }, 1, 100), /\[█+\] 12\.3/);
});
