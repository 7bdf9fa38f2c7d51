import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { FleetKeys } from '../../../src/harness/distributed/fleet-keys.ts';
import { LoadAgent } from '../../../src/harness/distributed/load-agent.ts';
import { startEtcd } from '../../fixtures/etcd.ts';

test('a load host ignores a malformed plan or go, logging the key, and stays registered', {
  timeout: 60_000,
}, async (t) => {
  const etcd = await startEtcd();
  const client = new Etcd3({ hosts: etcd.endpoint });
  t.after(async () => {
    client.close();
    await etcd.stop();
  });
  const keys = new FleetKeys('/rpcbench-test/coordinator-values/');
  const lines: string[] = [];
  const agent = await LoadAgent.start({
    etcd: [etcd.endpoint],
    name: 'host',
    prefix: keys.prefix,
    threads: 1,
    log: (line) => lines.push(line),
  });
  t.after(() => agent.close());
  const phase = keys.phase('run1', 0);
  await client.put(`${phase}plan`).value('{not json');
  await client.put(`${phase}plan`).value(JSON.stringify({ plan: { label: 'x' }, shares: { host: 'many' } }));
  await client.put(`${phase}go`).value('{"startAtEpochMs":"soon"}');
  // A name the coordinator wrote is the peer's text: the log shows its control characters escaped.
  await client
    .put(`${phase}plan`)
    .value(JSON.stringify({ plan: { label: 'x' }, shares: { 'h\x1b[2J': 'many' } }));
  const deadline = Date.now() + 10_000;
  while (lines.filter((line) => line.includes('malformed')).length < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const text = lines.join('\n');
  assert.match(text, /the coordinator wrote a malformed value at \S+\/plan: not JSON/);
  assert.match(text, /the coordinator wrote a malformed value at \S+\/plan: shares\.host: /);
  assert.match(text, /the coordinator wrote a malformed value at \S+\/plan: shares\.h\\x1b\[2J: /);
  assert.ok(!text.includes('\x1b'), 'no raw escape in the log');
  assert.deepEqual(
    await client.getAll().prefix(keys.host('host')).keys(),
    [keys.host('host')],
    'still registered',
  );
});
