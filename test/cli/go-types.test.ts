// --go-types on `call` and `bench` against Go's Types service (go-peer/types.go) compiled here:
// arguments typed from Go source and JSON, replies printed as Go's own json.Marshal prints them.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildGoPeer } from '../../src/benchmarks/go-peer/build.ts';
import {
  type GoServer,
  runGoTypesJson,
  startGoRegistry,
  startGoServer,
} from '../../src/benchmarks/go-peer/go-peer.ts';
import { registerWithEtcd } from '../../src/registry/etcd-registration.ts';
import { startEtcd } from '../fixtures/etcd.ts';
import { runCli } from '../fixtures/run-cli.ts';

const GO_SOURCE = 'go-peer';
const TRANSPORTS = ['tcp', 'http'] as const;
/** Every kind the issue of real services lists, in the JSON a Go developer writes. */
const ARGS = JSON.stringify({
  ID: '@I64MAX',
  Tag: 'embedded <&>',
  P: { A: -7, B: 'inner' },
  Items: [
    { Name: 'a', Qty: 1 },
    { Name: 'ü', Qty: -3 },
  ],
  PItems: [{ Name: 'p', Qty: 2 }],
  Grid: [[1, 2], [], [3]],
  Raw: Buffer.from([0, 1, 2, 255]).toString('base64'),
  M: { one: 1, zero: 0, '': -1 },
  MI: { x: { Name: 'x', Qty: 9 } },
  IM: { '-1': 'minus one', '42': 'answer', '7': 'seven' },
  Arr: [-32768, 0, 32767],
  I64Min: '@I64MIN',
  U64: '@U64MAX',
  I8: -128,
  U8: 255,
  U16: 65535,
  F32: 0.1,
  F64: 1e-7,
  Whole: 3,
  Zeros: [0, 2.5],
  Flag: true,
  Text: 'héllo, 世界 🌍 \u2028',
  Empty: [],
})
  // JavaScript numbers cannot hold these: the JSON text keeps every digit.
  .replace('"@I64MAX"', '9223372036854775807')
  .replace('"@I64MIN"', '-9223372036854775808')
  .replace('"@U64MAX"', '18446744073709551615');

let dir: string;
let go: GoServer;
before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'rpcbench-go-types-'));
    await buildGoPeer();
    go = await startGoServer({ listen: ['tcp@127.0.0.1:0', 'http@127.0.0.1:0'] });
  },
  { timeout: 300_000 },
);
after(async () => {
  await go?.stop();
  await rm(dir, { recursive: true, force: true });
});

for (const [i, transport] of TRANSPORTS.entries()) {
  for (const method of ['Types.EchoNested', 'Types.Summarize']) {
    test(`call --go-types ${method} over ${transport}@ prints what Go's json.Marshal prints`, async () => {
      const address = go.addresses[i]!;
      const want = await runGoTypesJson(address, method, ARGS);
      assert.ok(want.ok, want.error);
      const run = await runCli('call.ts', ['--go-types', GO_SOURCE, address, method, ARGS]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), want.json);
    });
  }

  test(`bench --go-types over ${transport}@: every call succeeds`, async () => {
    const phase = await benchGoTypes(transport, ['--target', go.addresses[i]!, '--args', ARGS]);
    assert.ok(phase.calls > 0);
  });
}

test('scenario goTypes with an args function: every generated value converted, every call succeeds', async () => {
  const scenario = join(dir, 'go-types.scenario.mjs');
  await writeFile(
    scenario,
    `export default {
  name: 'go-types-scenario',
  target: { addresses: [${JSON.stringify(go.addresses[0])}] },
  codec: 'gob',
  goTypes: ${JSON.stringify(join(process.cwd(), GO_SOURCE))},
  call: {
    method: 'Types.EchoNested',
    args: (i) => ({ U8: i % 256, U64: '18446744073709551615', IM: { [String(i)]: 'x' }, Raw: 'AAE=' }),
    check: (reply) => reply.U8 < 256 && reply.U64 === 18446744073709551615n && reply.Raw.length === 2,
  },
  durationMs: 1000,
  warmupMs: 0,
};
`,
  );
  const out = join(dir, 'scenario');
  const run = await runCli('bench.ts', [scenario, '--out', out, '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const [file] = (await readdir(out)).filter((name) => name.endsWith('.json'));
  const phase = JSON.parse(await readFile(join(out, file!), 'utf8')).phases[0];
  assert.ok(phase.calls > 0);
  assert.equal(phase.errors, 0, JSON.stringify(phase.errorSamples));
});

interface BenchPhase {
  calls: number;
  servers: { address: string; clientCount: number }[];
}

/** Runs `bench --go-types` for Types.EchoNested with `args` (target, arguments) and returns its one phase, all calls ok. */
async function benchGoTypes(name: string, args: string[]): Promise<BenchPhase> {
  const out = join(dir, name);
  const run = await runCli('bench.ts', [
    ...args,
    ...['--go-types', GO_SOURCE, '--method', 'Types.EchoNested'],
    ...['--duration', '2s', '--warmup', '0', '--out', out, '--quiet'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const [file] = (await readdir(out)).filter((entry) => entry.endsWith('.json'));
  const phase = JSON.parse(await readFile(join(out, file!), 'utf8')).phases[0];
  assert.equal(phase.errors, 0, JSON.stringify(phase.errorSamples));
  return phase;
}

/** Runs `bench --go-types --args-file` against `target` and returns its one phase. */
async function benchArgsFile(name: string, target: string[]): Promise<BenchPhase> {
  // Each line typed on its own: a map, uint64's maximum, bytes in base64, an int key as a string.
  const lines = [
    ARGS,
    '{"M":{"a":1},"U64":18446744073709551615,"U8":0,"Raw":"AAE=","IM":{"3":"three"}}',
    '{"Whole":4,"I64Min":"-9223372036854775808","MI":{"k":{"Name":"k","Qty":1}},"Grid":[[7]]}',
  ];
  const argsFile = join(dir, `${name}.args`);
  await writeFile(argsFile, `${lines.join('\n')}\n`);
  return benchGoTypes(name, [...target, '--args-file', argsFile]);
}

test("bench --go-types --args-file through Go's registry: every line converted, both Go servers called", async (t) => {
  const registry = await startGoRegistry();
  t.after(() => registry.stop());
  const servers = await Promise.all(
    [1, 2].map(() =>
      startGoServer({ listen: ['tcp@127.0.0.1:0'], registry: registry.url, heartbeatMs: 60_000 }),
    ),
  );
  t.after(() => Promise.all(servers.map((server) => server.stop())));
  const phase = await benchArgsFile('registry', ['--registry', registry.url]);
  assert.deepEqual(
    phase.servers.map((server) => server.address).sort(),
    servers.map((server) => server.addresses[0]!).sort(),
  );
  for (const server of phase.servers) assert.ok(server.clientCount > 0, server.address);
});

test('bench --go-types --args-file through etcd: every line converted, the Go server called', async (t) => {
  const etcd = await startEtcd();
  const prefix = '/rpcbench-go-types/';
  const registration = await registerWithEtcd(etcd.endpoint, go.addresses[1]!, { prefix }).catch(
    async (error) => {
      await etcd.stop();
      throw error;
    },
  );
  t.after(async () => {
    await registration.stop();
    await etcd.stop();
  });
  const phase = await benchArgsFile('etcd', ['--etcd', etcd.endpoint, '--etcd-prefix', prefix]);
  assert.deepEqual(
    phase.servers.map((server) => server.address),
    [go.addresses[1]],
  );
  assert.ok(phase.calls > 0);
});

/** Nothing listens here: an error about the arguments proves no call was tried. */
const NOWHERE = 'tcp@127.0.0.1:1';

for (const [args, message] of [
  ['{"U8":256}', /args\.U8 \(Go type uint8\): 256 is out of its range 0 to 255/],
  ['{"I8":-129}', /args\.I8 \(Go type int8\)/],
  ['{"U64":-1}', /args\.U64 \(Go type uint64\)/],
  ['{"Items":[{"Qty":"two"}]}', /args\.Items\[0\]\.Qty \(Go type int\): expected a whole number/],
  ['{"Raw":"not base64!"}', /args\.Raw \(Go type \[\]byte\): the string is not base64/],
  ['{"IM":{"x":"y"}}', /args\.IM\["x"\] \(key\) \(Go type int\)/],
  ['{"Nope":1}', /has no field "Nope"/],
] as const) {
  test(`${args}: a clear error before any call, from call and from bench (exit 2)`, async () => {
    const call = await runCli('call.ts', ['--go-types', GO_SOURCE, NOWHERE, 'Types.EchoNested', args]);
    assert.equal(call.code, 2, call.stderr);
    assert.match(call.stderr, message);
    const bench = await runCli('bench.ts', [
      '--target',
      NOWHERE,
      '--go-types',
      GO_SOURCE,
      '--method',
      'Types.EchoNested',
      '--args',
      args,
      '--calls',
      '10',
      '--out',
      join(dir, 'refused'),
    ]);
    assert.equal(bench.code, 2, bench.stderr);
    assert.match(bench.stderr, message);
  });
}

test('a method the Go source lacks, and a codec Go does not speak: usage errors naming them', async () => {
  const missing = await runCli('call.ts', ['--go-types', GO_SOURCE, NOWHERE, 'Types.Nope', '{}']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Types has no method Nope \(its RPC methods: EchoNested, Summarize/);
  const codec = await runCli('call.ts', [
    '--go-types',
    GO_SOURCE,
    '--codec',
    'json',
    NOWHERE,
    'Types.EchoNested',
    '{}',
  ]);
  assert.equal(codec.code, 2);
  assert.match(codec.stderr, /--go-types needs the gob codec/);
});
