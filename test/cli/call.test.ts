import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../src/cli/call.ts';
import { startServers } from '../fixtures/servers.ts';
import { startUnsolicitedProxy } from '../fixtures/unsolicited-proxy.ts';

async function runCall(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, out, err: err.join('\n') };
}

test('npm run call prints the reply as JSON, through an XClient over the listed servers', async () => {
  const set = await startServers(2);
  const list = set.addresses.join(',');
  try {
    assert.deepEqual(await runCall([list, 'Foo.Sum', '{"Num1":2,"Num2":3}']), {
      code: 0,
      out: ['5'],
      err: '',
    });

    const counted = await runCall(['--count', '4', '--detailed', list, 'Bench.Echo', '"x"']);
    assert.equal(counted.code, 0);
    const addresses = counted.out.map((line) => (JSON.parse(line) as { address: string }).address);
    assert.deepEqual(
      set.addresses.map((a) => addresses.filter((b) => b === a).length),
      [2, 2],
      'round robin by default',
    );

    const all = await runCall(['--broadcast-all', list, 'Bench.Echo', '[1]']);
    const outcomes = JSON.parse(all.out[0]!) as { address: string; reply: unknown }[];
    assert.deepEqual(
      outcomes.map((o) => o.reply),
      [[1], [1]],
    );
  } finally {
    await set.close();
  }
});

test('npm run call names what is wrong and exits non-zero', async () => {
  const set = await startServers(1);
  const [address] = set.addresses as [string];
  try {
    const badJson = await runCall([address, 'Foo.Sum', '{oops']);
    assert.equal(badJson.code, 2);
    assert.match(badJson.err, /invalid JSON arguments "\{oops"/);

    const badMode = await runCall(['--mode', 'fastest', address, 'Foo.Sum', '{}']);
    assert.equal(badMode.code, 2);
    assert.match(badMode.err, /--mode.*'fastest' is invalid/);

    const noKey = await runCall(['--mode', 'consistent-hash', address, 'Foo.Sum', '{}']);
    assert.equal(noKey.code, 2);
    assert.match(noKey.err, /needs --key/);

    const remote = await runCall([address, 'Foo.Missing', '{}']);
    assert.equal(remote.code, 1);
    assert.match(remote.err, /can't find method Missing/);

    const missingArgs = await runCall([address, 'Foo.Sum']);
    assert.equal(missingArgs.code, 2);
  } finally {
    await set.close();
  }
  const unreachable = await runCall([set.addresses[0]!, 'Foo.Sum', '{}']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.err, /cannot dial tcp@127\.0\.0\.1:\d+: ECONNREFUSED \[ERR_DIAL_FAILED\]/);
});

test("npm run call shows control characters of the server's error text as escapes", async () => {
  const set = await startServers(1);
  const [address] = set.addresses as [string];
  try {
    // The server's error names the method it could not find: text the peer sent back.
    const hostile = await runCall([address, 'Foo.\x1b[2J\x1b]0;pwned\x07', '{}']);
    assert.equal(hostile.code, 1, hostile.err);
    const raw = [...hostile.err].filter((char) => char.charCodeAt(0) < 0x20 && char !== '\n');
    assert.deepEqual(raw, [], 'no raw control character reaches the terminal');
    assert.match(hostile.err, /can't find method \\x1b\[2J\\x1b\]0;pwned\\x07 .*\[ERR_REMOTE\]/);
  } finally {
    await set.close();
  }
});

test('npm run call takes the client limits: a reply over --gob-max-type-fields, or too many replies to no call, fail the call with ERR_BAD_FRAME', async (t) => {
  const set = await startServers(1);
  t.after(() => set.close());
  const [address] = set.addresses as [string];
  // Bench.Echo answers a struct of 2 fields: with the header's 3, 5 fields in all.
  const echo = ['--codec', 'gob', address, 'Bench.Echo', '{"A":1,"B":2}'];
  assert.deepEqual((await runCall(['--gob-max-type-fields', '5', ...echo])).out, ['{"A":1,"B":2}']);
  const over = await runCall(['--gob-max-type-fields', '4', ...echo]);
  assert.equal(over.code, 1);
  assert.match(
    over.err,
    /gob: over budget: .*more than 4 struct fields .*\(maxTypeFields\).* \[ERR_BAD_FRAME\]/,
  );

  const chatty = await startUnsolicitedProxy(t, address, 2);
  assert.deepEqual(
    (await runCall(['--max-unsolicited-replies', '2', chatty, 'Foo.Sum', '{"Num1":1,"Num2":2}'])).out,
    ['3'],
  );
  const flooded = await runCall(['--max-unsolicited-replies', '1', chatty, 'Foo.Sum', '{"Num1":1,"Num2":2}']);
  assert.equal(flooded.code, 1);
  assert.match(flooded.err, /more than 1 replies to no call .*\[ERR_BAD_FRAME\]/);

  for (const [flag, value] of [
    ['--max-unsolicited-replies', 'many'],
    ['--gob-max-type-bytes', '0'],
  ] as const) {
    const bad = await runCall([flag, value, address, 'Foo.Sum', '{}']);
    assert.equal(bad.code, 2, bad.err);
    assert.ok(bad.err.includes(`option '${flag} <n>' argument '${value}' is invalid`), bad.err);
  }
});
