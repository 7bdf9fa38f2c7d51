import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDuetTarget, duetServers, parseDuetTarget } from '../../../src/gate/duet/target-source.ts';
import { GateConfigError } from '../../../src/gate/errors.ts';

test('addresses, a registry URL and etcd endpoints with a prefix are read as a scenario target reads them', () => {
  assert.deepEqual(parseDuetTarget('tcp@127.0.0.1:9001, http@127.0.0.1:9002'), {
    kind: 'addresses',
    addresses: ['tcp@127.0.0.1:9001', 'http@127.0.0.1:9002'],
  });
  assert.deepEqual(parseDuetTarget('http://127.0.0.1:9999/_geerpc_/registry'), {
    kind: 'registry',
    url: 'http://127.0.0.1:9999/_geerpc_/registry',
  });
  assert.deepEqual(parseDuetTarget('etcd://127.0.0.1:2379,[::1]:2380/base/servers/'), {
    kind: 'etcd',
    endpoints: ['http://127.0.0.1:2379', 'http://[::1]:2380'],
    prefix: '/base/servers/',
  });
  assert.deepEqual(parseDuetTarget('etcd://127.0.0.1:2379'), {
    kind: 'etcd',
    endpoints: ['http://127.0.0.1:2379'],
  });
});

test('a followed build gives its discovery to the probe and no fixed address', () => {
  assert.deepEqual(duetServers(parseDuetTarget('tcp@127.0.0.1:1')), {
    servers: { kind: 'addresses' },
    addresses: ['tcp@127.0.0.1:1'],
  });
  const etcd = parseDuetTarget('etcd://127.0.0.1:2379/p/');
  assert.deepEqual(duetServers(etcd), { servers: etcd, addresses: [] });
  assert.equal(describeDuetTarget(etcd), 'etcd http://127.0.0.1:2379 under /p/');
});

test('nonsense names the forms a build can be given in', () => {
  for (const bad of ['nonsense', '', ' , ', 'etcd://', 'etcd://no-port/p/', 'http://[bad']) {
    assert.throws(
      () => parseDuetTarget(bad),
      (error: unknown) =>
        error instanceof GateConfigError &&
        /registry URL/.test(error.message) &&
        /etcd:\/\//.test(error.message),
      bad,
    );
  }
});
