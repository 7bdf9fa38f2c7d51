import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSummary } from '../../src/report/text-summary.ts';
import { escapeTerminal } from '../../src/util/escape-terminal.ts';
import { makeRunResult } from '../fixtures/report-results.ts';

const CLEAR_SCREEN = '\x1b[2J';
const SET_TITLE = '\x1b]0;pwned\x07';
const FORGED_LINE = '\nFORGED: every threshold passed';

test('control characters are shown as escapes, printable text stays as it is', () => {
  assert.equal(escapeTerminal(`a${CLEAR_SCREEN}b`), 'a\\x1b[2Jb');
  assert.equal(escapeTerminal(SET_TITLE), '\\x1b]0;pwned\\x07');
  assert.equal(escapeTerminal('one\ntwo\rthree\tfour'), 'one\\ntwo\\rthree\\tfour');
  assert.equal(escapeTerminal('\u009b2J \u202egnp.exe \u007f'), '\\x9b2J \\u202egnp.exe \\x7f');
  assert.equal(escapeTerminal('tcp@127.0.0.1:8080 é ✓ 服务'), 'tcp@127.0.0.1:8080 é ✓ 服务');
});

test('the summary escapes what servers and agents sent: error texts, addresses, agent names', () => {
  const hostileAddress = `tcp@127.0.0.1:1${CLEAR_SCREEN}`;
  const result = makeRunResult({ addresses: [hostileAddress, 'tcp@127.0.0.1:41002'], weights: [1, 1] });
  const phase = result.phases[0]!;
  phase.errorSamples = { ERR_REMOTE: `rpc server: ${SET_TITLE}${FORGED_LINE}` };
  const hostileAgent = `agent${CLEAR_SCREEN}`;
  result.agents = {
    etcd: ['http://127.0.0.1:2379'],
    hosts: [{ name: hostileAgent, host: `host${SET_TITLE}`, cores: 2, threads: 1, node: 'v20.20.2' }],
    lost: [hostileAgent],
  };
  const summary = formatSummary(result);
  assert.ok(
    !summary.includes('\x1b') && !summary.includes('\x07'),
    'no raw escape or bell reaches the terminal',
  );
  assert.match(summary, /ERR_REMOTE e\.g\. rpc server: \\x1b\]0;pwned\\x07\\nFORGED: every threshold passed/);
  assert.match(summary, /tcp@127\.0\.0\.1:1\\x1b\[2J/);
  assert.match(summary, /load from agent\\x1b\[2J .*lost mid-run: agent\\x1b\[2J/);
  assert.ok(!summary.split('\n').some((line) => line.startsWith('FORGED')), 'no forged summary line');
});
