import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '../../src/rpc/client.ts';
import { ConnectTimeoutError, DialError } from '../../src/rpc/errors.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { MultiServersDiscovery } from '../../src/xclient/discovery/multi-servers-discovery.ts';
import type { OutlierEvent } from '../../src/xclient/outlier/outlier-detector.ts';
import { XClient } from '../../src/xclient/xclient.ts';

const SLOW = 'tcp@127.0.0.1:1';
const BROKEN = 'tcp@127.0.0.1:2';
const SLOW_DIAL_MS = 3_000;

/** A dial that takes SLOW_DIAL_MS and then fails as a connect timeout does; BROKEN fails at once. */
function fakeDial(settled: Set<string>) {
  const pending = new Set<() => void>();
  const dial = (address: string): Promise<Client> => {
    if (address === BROKEN) return Promise.reject(new DialError(address, 'ECONNREFUSED'));
    return new Promise((_, reject) => {
      const fail = () => {
        clearTimeout(timer);
        pending.delete(fail);
        settled.add(address);
        reject(new ConnectTimeoutError(address, SLOW_DIAL_MS));
      };
      const timer = setTimeout(fail, SLOW_DIAL_MS);
      pending.add(fail);
    });
  };
  // Ends the slow dials at once, so that the XClient's close does not wait for them.
  const stop = () => {
    for (const fail of [...pending]) fail();
  };
  return { dial, stop };
}

test("a call's timeoutMs and signal cover dialing", async (t) => {
  const settled = new Set<string>();
  const { dial, stop } = fakeDial(settled);
  const xclient = new XClient(new MultiServersDiscovery([SLOW]), 'random', { dial });
  t.after(() => {
    stop();
    return xclient.close();
  });
  const timedOut = await xclient.call('Foo.Sum', 1, { timeoutMs: 100 }).catch((e: unknown) => e);
  assert.ok(isRpcError(timedOut, 'ERR_CALL_TIMEOUT'), String(timedOut));
  assert.equal(settled.size, 0, 'settled before the dial did');
  const aborted = await xclient
    .call('Foo.Sum', 1, { signal: AbortSignal.timeout(100) })
    .catch((e: unknown) => e);
  assert.ok(isRpcError(aborted, 'ERR_CALL_ABORTED'), String(aborted));
  assert.equal(settled.size, 0);
});

test('a broadcast ends at its first failure without waiting for a pending dial', async (t) => {
  const settled = new Set<string>();
  const { dial, stop } = fakeDial(settled);
  const xclient = new XClient(new MultiServersDiscovery([SLOW, BROKEN]), 'random', { dial });
  t.after(() => {
    stop();
    return xclient.close();
  });
  const error = await xclient.broadcast('Foo.Sum', 1).catch((e: unknown) => e);
  assert.ok(isRpcError(error, 'ERR_DIAL_FAILED'), String(error));
  assert.equal(settled.size, 0, 'the slow dial was not waited for');
});

test('outlier detection follows a server list updated in the same tick as the XClient was made', async (t) => {
  const settled = new Set<string>();
  const { dial, stop } = fakeDial(settled);
  const discovery = new MultiServersDiscovery([SLOW]);
  const events: OutlierEvent[] = [];
  const xclient = new XClient(discovery, 'roundrobin', {
    dial,
    outlierDetection: { consecutiveErrors: 2, maxEjectedPercent: 100 },
    onOutlierEvent: (event) => events.push(event),
  });
  t.after(() => {
    stop();
    return xclient.close();
  });
  void discovery.update([SLOW, BROKEN]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (let index = 0; index < 6; index++) await xclient.call('Foo.Sum', 1, { timeoutMs: 10 }).catch(() => {});
  assert.ok(
    events.some((event) => event.kind === 'ejected' && event.address === BROKEN),
    JSON.stringify(events),
  );
});
