import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOAD_METHOD } from '../../../src/harness/servers/load-service.ts';
import { ServerPool } from '../../../src/harness/servers/server-pool.ts';
import { dial } from '../../../src/rpc/dial.ts';
import type { ServerBehaviour } from '../../../src/scenario/scenario-schema.ts';
import { isRpcError } from '../../../src/util/errors.ts';

const PLAIN: ServerBehaviour = {
  serviceTime: { distribution: 'fixed', us: 0 },
  errorRate: 0,
  slowFactor: 1,
  weight: 1,
};

async function callOnce(address: string): Promise<unknown> {
  const client = await dial(address, { connectTimeoutMs: 5_000 });
  try {
    return await client.call(LOAD_METHOD, { n: 1 });
  } finally {
    await client.close();
  }
}

test('servers spread over threads answer, count their calls, and answer over HTTP', async () => {
  const pool = await ServerPool.start({
    threads: 2,
    http: true,
    servers: [0, 1, 2, 3].map((index) => ({
      index,
      listenAddress: 'tcp@127.0.0.1:0',
      behaviour: PLAIN,
      seed: index,
    })),
  });
  try {
    assert.deepEqual(
      pool.servers.map((server) => server.index),
      [0, 1, 2, 3],
    );
    await pool.begin(Date.now());
    for (const [index, address] of pool.addresses.entries()) {
      for (let i = 0; i <= index; i++) assert.deepEqual(await callOnce(address), { n: 1 });
    }
    assert.deepEqual(await pool.counts(), [1, 2, 3, 4]);
    const response = await fetch(`${pool.servers[0]!.httpUrl}/call/${LOAD_METHOD}`, {
      method: 'POST',
      body: JSON.stringify({ n: 2 }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { n: 2 });
    // HTTP calls are the baseline's, not the RPC counts.
    assert.deepEqual(await pool.counts(), [1, 2, 3, 4]);
    await pool.begin(Date.now());
    assert.deepEqual(await pool.counts(), [0, 0, 0, 0]);
  } finally {
    await pool.close();
  }
});

test('a crash drops the server, a restart brings it back on the same address', async () => {
  const pool = await ServerPool.start({
    threads: 1,
    http: false,
    servers: [
      {
        index: 0,
        listenAddress: 'tcp@127.0.0.1:0',
        seed: 1,
        behaviour: { ...PLAIN, crash: { atMs: 0, restartAfterMs: 300 } },
      },
    ],
  });
  try {
    const [address] = pool.addresses;
    await pool.begin(Date.now());
    let refused: unknown;
    for (let attempt = 0; attempt < 200 && refused === undefined; attempt++) {
      await callOnce(address!).catch((error: unknown) => {
        refused = error;
      });
    }
    assert.ok(
      isRpcError(refused, 'ERR_DIAL_FAILED') || isRpcError(refused, 'ERR_CONN_CLOSED'),
      String(refused),
    );
    let answered = false;
    for (let attempt = 0; attempt < 200 && !answered; attempt++) {
      answered = await callOnce(address!).then(
        () => true,
        () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 25)),
      );
    }
    assert.ok(answered, 'the restarted server answers on its old address');
  } finally {
    await pool.close();
  }
});

test('an error rate of 1 fails every call with the injected error', async () => {
  const pool = await ServerPool.start({
    threads: 1,
    http: false,
    servers: [{ index: 0, listenAddress: 'tcp@127.0.0.1:0', seed: 1, behaviour: { ...PLAIN, errorRate: 1 } }],
  });
  try {
    await assert.rejects(
      callOnce(pool.addresses[0]!),
      (error: unknown) => isRpcError(error, 'ERR_REMOTE') && /injected error/.test((error as Error).message),
    );
  } finally {
    await pool.close();
  }
});
