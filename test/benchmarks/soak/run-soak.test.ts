import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SOAK_ATTACKS } from '../../../src/benchmarks/soak/hostile-peers.ts';
import { HOSTILE_SERVER_KINDS } from '../../../src/benchmarks/soak/hostile-servers.ts';
import { TARGET_RUN_GRACE_MS } from '../../../src/benchmarks/soak/hostile-targets.ts';
import { runSoak } from '../../../src/benchmarks/soak/run-soak.ts';
import { UNKNOWN_ERROR_CODE } from '../../../src/harness/errors.ts';

const SOAK_MS = 4_000;

test('a short soak: every attack reaches the served process, the well-behaved client is answered, the harness facing hostile targets ends on time', async () => {
  const result = await runSoak({
    serveScript: new URL('../../../src/cli/serve.ts', import.meta.url),
    durationMs: SOAK_MS,
  });
  assert.equal(result.serverExitedEarly, false);
  assert.equal(result.failedCalls, 0, result.firstFailure);
  assert.ok(result.okCalls > 0);
  assert.ok(result.rssBytes.length >= 3, `${result.rssBytes.length} RSS samples`);
  for (const plan of SOAK_ATTACKS) {
    assert.ok(
      result.attacks.opened[plan.kind] >= plan.connections,
      `${plan.kind} opened: ${JSON.stringify(result.attacks)}`,
    );
    assert.ok(result.attacks.bytesSent[plan.kind] > 0, `${plan.kind} sent`);
  }
  // Connections without a handshake, and answered HTTP ones, are closed by the server.
  assert.ok(result.attacks.closedByServer['no-handshake'] > 0, JSON.stringify(result.attacks));
  assert.ok(result.attacks.closedByServer['http-held-open'] > 0, JSON.stringify(result.attacks));
  // The load tester's side: one harness run against the well-behaved target and every hostile one.
  assert.ok(result.wellBehavedTarget.calls > 0, JSON.stringify(result.wellBehavedTarget));
  assert.equal(result.wellBehavedTarget.errors, 0, JSON.stringify(result.wellBehavedTarget));
  assert.equal(result.unattributedTargetErrors, 0);
  for (const kind of HOSTILE_SERVER_KINDS) {
    const tally = result.hostileTargets[kind];
    assert.ok(tally.calls > 0, `${kind}: ${JSON.stringify(tally)}`);
    assert.equal(tally.errorsByCode.OK, undefined, `${kind}: ${JSON.stringify(tally)}`);
    assert.equal(tally.errorsByCode[UNKNOWN_ERROR_CODE], undefined, `${kind}: ${JSON.stringify(tally)}`);
  }
  assert.ok((result.hostileTargets['gob-zero-value-bomb'].errorsByCode.ERR_BAD_FRAME ?? 0) > 0);
  assert.ok((result.hostileTargets['unsolicited-replies'].errorsByCode.ERR_BAD_FRAME ?? 0) > 0);
  assert.ok((result.hostileTargets.silent.errorsByCode.ERR_CALL_TIMEOUT ?? 0) > 0);
  assert.ok((result.hostileTargets['gob-type-flood'].errorsByCode.ERR_BAD_FRAME ?? 0) > 0);
  const connect = result.hostileTargets['endless-connect-answer'].errorsByCode;
  assert.ok((connect.ERR_DIAL_FAILED ?? 0) > 0, JSON.stringify(connect));
  assert.ok(
    result.targetRunElapsedMs <= SOAK_MS + TARGET_RUN_GRACE_MS,
    `the target run took ${result.targetRunElapsedMs} ms`,
  );
});
