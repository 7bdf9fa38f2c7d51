// rpcbench's client and XClient against GeeRPC's Go server (go-peer/), which reads the
// option through a buffering json.Decoder and loses whatever that decoder took past it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildGoPeer } from '../../src/benchmarks/go-peer/build.ts';
import { type GoServer, startGoRegistry, startGoServer } from '../../src/benchmarks/go-peer/go-peer.ts';
import { main as callMain } from '../../src/cli/call.ts';
import type { CodecName } from '../../src/rpc/codec/codec.ts';
import { dial } from '../../src/rpc/dial.ts';
import { isRpcError } from '../../src/util/errors.ts';
import { MultiServersDiscovery } from '../../src/xclient/discovery/multi-servers-discovery.ts';
import { RegistryDiscovery } from '../../src/xclient/discovery/registry-discovery.ts';
import { XClient } from '../../src/xclient/xclient.ts';

const CODECS: CodecName[] = ['application/gob', 'application/json'];
const TRANSPORTS = ['tcp', 'http'] as const;

let go: GoServer;
const addressOf: Record<(typeof TRANSPORTS)[number], string> = { tcp: '', http: '' };

before(
  async () => {
    await buildGoPeer();
    go = await startGoServer({ listen: ['tcp@127.0.0.1:0', 'http@127.0.0.1:0'], codecs: ['gob', 'json'] });
    [addressOf.tcp, addressOf.http] = go.addresses as [string, string];
  },
  { timeout: 300_000 },
);
after(() => go?.stop());

for (const transport of TRANSPORTS) {
  for (const codec of CODECS) {
    const label = `${codec.slice('application/'.length)} over ${transport}@`;

    test(`${label}: a single call, then 1,000 concurrent calls on one connection, each with its own sum`, async () => {
      const client = await dial(addressOf[transport], { codec, callTimeoutMs: 10_000 });
      try {
        assert.equal(await client.call('Foo.Sum', { Num1: 1, Num2: 2 }), 3);
        assert.equal(await client.call('Bench.Echo', 'hi <&>'), 'hi <&>');
        const sums = await Promise.all(
          Array.from({ length: 1000 }, (_, i) => client.call('Foo.Sum', { Num1: i, Num2: 1 })),
        );
        assert.deepEqual(
          sums,
          Array.from({ length: 1000 }, (_, i) => i + 1),
        );
      } finally {
        await client.close();
      }
    });

    test(`${label}: the first call on each of 200 fresh connections is answered`, async () => {
      let answered = 0;
      const connections = 200;
      const inParallel = 20;
      for (let start = 0; start < connections; start += inParallel) {
        await Promise.all(
          Array.from({ length: inParallel }, async (_, offset) => {
            const i = start + offset;
            const client = await dial(addressOf[transport], { codec, callTimeoutMs: 5_000 });
            try {
              assert.equal(await client.call('Foo.Sum', { Num1: i, Num2: 2 }), i + 2);
              answered++;
            } finally {
              await client.close();
            }
          }),
        );
      }
      assert.equal(answered, connections);
    });

    test(`${label}: an unknown method is an ERR_REMOTE in GeeRPC's wording, and calls go on`, async () => {
      const discovery = new MultiServersDiscovery([addressOf[transport]]);
      // failtry: a call sent while Go's server is closing the connection is tried again on a new one.
      const xclient = new XClient(discovery, 'roundrobin', {
        codec,
        callTimeoutMs: 5_000,
        failMode: 'failtry',
        retries: 1,
      });
      try {
        await assert.rejects(xclient.call('Foo.Nope', { Num1: 1, Num2: 2 }), (error: unknown) => {
          assert.ok(isRpcError(error, 'ERR_REMOTE'));
          assert.equal((error as Error).message, "rpc server: can't find method Nope");
          return true;
        });
        // Go's server leaves the unread body behind: with JSON it answers it as a request of its
        // own (Seq 0, dropped by the client), with gob it closes the connection (failtry dials again).
        assert.equal(await xclient.call('Foo.Sum', { Num1: 20, Num2: 22 }), 42);
      } finally {
        await xclient.close();
        await discovery.close();
      }
    });
  }
}

for (const codec of CODECS) {
  test(`an XClient broadcast (${codec}) reaches every one of three Go servers`, async () => {
    const servers = await Promise.all([1, 2, 3].map(() => startGoServer({ codecs: ['gob', 'json'] })));
    const discovery = new MultiServersDiscovery(servers.map((server) => server.addresses[0]!));
    const xclient = new XClient(discovery, 'roundrobin', { codec, callTimeoutMs: 5_000 });
    try {
      const outcomes = await xclient.broadcastAll('Foo.Sum', { Num1: 2, Num2: 3 });
      assert.deepEqual(
        outcomes.map((outcome) => outcome.reply),
        [5, 5, 5],
      );
      assert.equal(await xclient.broadcast('Bench.Echo', 'all'), 'all');
    } finally {
      await xclient.close();
      await discovery.close();
      await Promise.all(servers.map((server) => server.stop()));
    }
  });
}

test("rpcbench's RegistryDiscovery finds Go servers through Go's registry, and calls them with gob", async () => {
  const registry = await startGoRegistry();
  const servers = await Promise.all(
    [1, 2].map(() => startGoServer({ registry: registry.url, heartbeatMs: 60_000 })),
  );
  const discovery = new RegistryDiscovery(registry.url, { updateIntervalMs: 100 });
  const xclient = new XClient(discovery, 'roundrobin', { codec: 'application/gob', callTimeoutMs: 5_000 });
  try {
    const expected = servers.map((server) => server.addresses[0]!).sort();
    const deadline = Date.now() + 10_000;
    while ((await discovery.getAll()).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual([...(await discovery.getAll())].sort(), expected);
    const answered = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const { reply, address } = await xclient.callDetailed('Foo.Sum', { Num1: i, Num2: 1 });
      assert.equal(reply, i + 1);
      answered.add(address);
    }
    assert.deepEqual([...answered].sort(), expected);
  } finally {
    await xclient.close();
    await discovery.close();
    await Promise.all(servers.map((server) => server.stop()));
    await registry.stop();
  }
});

test('a codec the Go server does not accept fails the call with the connection, not with a timeout', async () => {
  const gobOnly = await startGoServer({ codecs: ['gob'] });
  try {
    const client = await dial(gobOnly.addresses[0]!, { codec: 'application/msgpack', callTimeoutMs: 10_000 });
    await assert.rejects(client.call('Foo.Sum', { Num1: 1, Num2: 2 }), (error: unknown) => {
      assert.ok(isRpcError(error, 'ERR_CONN_CLOSED'));
      assert.match((error as Error).message, /does not accept codec application\/msgpack/);
      return true;
    });
    await client.close();
  } finally {
    await gobOnly.stop();
  }
});

test('npm run call -- --codec gob reaches the Go server over tcp and http, and broadcasts over both', async () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await callMain(
      argv,
      (line) => out.push(line),
      (line) => err.push(line),
    );
    return { code, out, err: err.join('\n') };
  };
  for (const transport of TRANSPORTS) {
    assert.deepEqual(await run(['--codec', 'gob', addressOf[transport], 'Foo.Sum', '{"Num1":1,"Num2":2}']), {
      code: 0,
      out: ['3'],
      err: '',
    });
  }
  assert.deepEqual(
    await run([
      '--codec',
      'gob',
      '--http-path',
      '/_geeprc_',
      '--broadcast',
      `${addressOf.tcp},${addressOf.http}`,
      'Bench.Echo',
      '"hi"',
    ]),
    { code: 0, out: ['"hi"'], err: '' },
  );
  const wrongPath = await run([
    '--codec',
    'gob',
    '--http-path',
    '/_geerpc_',
    addressOf.http,
    'Bench.Echo',
    '"hi"',
  ]);
  assert.equal(wrongPath.code, 1);
  assert.match(wrongPath.err, /404/);
});
