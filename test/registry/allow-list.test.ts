// A hostile client against the registry's allow-list: addresses it must not hand to clients.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { AllowList, LOOPBACK_ONLY } from '../../src/registry/allow-list.ts';
import { RegistryServer } from '../../src/registry/registry-server.ts';
import { RegistryDiscovery } from '../../src/xclient/discovery/registry-discovery.ts';
import { runCli } from '../fixtures/run-cli.ts';

async function register(url: string, address: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'X-Geerpc-Server': address } });
  return { status: response.status, body: await response.text() };
}

const HOSTILE = [
  'tcp@169.254.169.254:80',
  'http@169.254.169.254:80',
  'tcp@10.0.0.1:6379',
  'http@192.168.1.1:80',
  'tcp@172.17.0.1:2375',
  'unix@/var/run/docker.sock',
  'tcp@127.example.co.uk:80',
  'tcp@127.0.0.1.nip.io:80',
  'tcp@localhost:80',
  'tcp@0.0.0.0:80',
  'tcp@[::ffff:169.254.169.254]:80',
];

test('by default only loopback registers: metadata, private, docker and look-alike addresses get 403', async (t) => {
  const registry = new RegistryServer();
  t.after(() => registry.close());
  const url = await registry.listen();
  assert.deepEqual(registry.allow, LOOPBACK_ONLY);
  for (const address of HOSTILE) {
    const answer = await register(url, address);
    assert.equal(answer.status, 403, address);
    assert.match(answer.body, /matches no pattern of the allow-list tcp@127\.\*\.\*\.\*:\* /, address);
  }
  for (const address of ['tcp@127.0.0.1:9001', 'http@127.1.2.3:80', 'tcp@[::1]:9002', 'http@[::1]:1']) {
    assert.equal((await register(url, address)).status, 200, address);
  }
  const discovery = new RegistryDiscovery(url);
  t.after(() => discovery.close());
  assert.deepEqual(await discovery.getAll(), [
    'http@127.1.2.3:80',
    'http@[::1]:1',
    'tcp@127.0.0.1:9001',
    'tcp@[::1]:9002',
  ]);
  assert.throws(() => registry.register('unix@/var/run/docker.sock'), {
    code: 'ERR_REGISTRY_REFUSED',
    message: /allow-list/,
  });
});

test('patterns: * is one octet, label, port or path segment; * alone is anything', () => {
  const cases: [string[], string, boolean][] = [
    [['*@10.0.0.*:*'], 'tcp@10.0.0.7:80', true],
    [['*@10.0.0.*:*'], 'http@10.0.0.255:1', true],
    [['*@10.0.0.*:*'], 'tcp@10.0.0.7.evil.example:80', false],
    [['*@10.0.0.*:*'], 'tcp@10.0.1.7:80', false],
    [['*@10.0.0.*:*'], 'unix@/10.0.0.1:80', false],
    [['tcp@127.0.0.1:*'], 'http@127.0.0.1:80', false],
    [['tcp@127.0.0.1:90*'], 'tcp@127.0.0.1:9001', true],
    [['tcp@127.0.0.1:90*'], 'tcp@127.0.0.1:8001', false],
    [['tcp@*.svc.local:*'], 'tcp@Api.svc.local:80', true],
    [['tcp@*.svc.local:*'], 'tcp@a.b.svc.local:80', false],
    [['tcp@*:*'], 'tcp@anything.at.all:1', true],
    [['unix@/tmp/*.sock'], 'unix@/tmp/a.sock', true],
    [['unix@/tmp/*.sock'], 'unix@/tmp/../var/run/docker.sock', false],
    [['unix@/tmp/*'], 'unix@/tmp/..', false],
    [['unix@*'], 'unix@/var/run/docker.sock', true],
    [['*'], 'unix@/var/run/docker.sock', true],
    [['*'], 'tcp@169.254.169.254:80', true],
    [[], 'tcp@127.0.0.1:1', false],
  ];
  for (const [patterns, address, allowed] of cases) {
    assert.equal(new AllowList(patterns).allows(address), allowed, `${patterns.join(' ')} vs ${address}`);
  }
});

test('an allow-list of its own replaces the default', async (t) => {
  const registry = new RegistryServer({ allow: ['*@10.0.0.*:*', 'unix@/tmp/*.sock'] });
  t.after(() => registry.close());
  const url = await registry.listen();
  assert.equal((await register(url, 'tcp@10.0.0.7:80')).status, 200);
  assert.equal((await register(url, 'unix@/tmp/a.sock')).status, 200);
  const refused = await register(url, 'tcp@127.0.0.1:80');
  assert.equal(refused.status, 403);
  assert.match(refused.body, /allow-list \*@10\.0\.0\.\*:\* unix@\/tmp\/\*\.sock/);
});

test('bad patterns are refused with a message naming the option', () => {
  for (const allow of [
    [''],
    ['127.0.0.1:*'],
    ['ftp@127.0.0.1:*'],
    ['tcp@127.0.0.1'],
    ['tcp@127.0.0.1:x'],
    ['unix@'],
  ]) {
    assert.throws(() => new RegistryServer({ allow }), {
      code: 'ERR_INVALID_ARGUMENT',
      message: /options\.allow\[0\]/,
    });
  }
  assert.throws(() => new RegistryServer({ allow: 'tcp@*:*' as unknown as string[] }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /options\.allow must be an array/,
  });
});

async function startCli(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/registry.ts', '--listen', '127.0.0.1:0', ...args],
    {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = once(child, 'exit');
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    url: chunk.toString().trim(),
    async stop() {
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number;
    },
  };
}

test('npm run registry accepts loopback only unless --allow says otherwise', {
  timeout: 30_000,
}, async () => {
  const loopback = await startCli([]);
  try {
    assert.equal((await register(loopback.url, 'tcp@127.0.0.1:9001')).status, 200);
    for (const address of ['tcp@169.254.169.254:80', 'unix@/var/run/docker.sock', 'tcp@10.0.0.1:80']) {
      assert.equal((await register(loopback.url, address)).status, 403, address);
    }
  } finally {
    assert.equal(await loopback.stop(), 0);
  }
  const opened = await startCli(['--allow', '*@10.0.0.*:*', '--allow', 'unix@/tmp/*.sock']);
  try {
    assert.equal((await register(opened.url, 'tcp@10.0.0.1:80')).status, 200);
    assert.equal((await register(opened.url, 'unix@/tmp/x.sock')).status, 200);
    assert.equal((await register(opened.url, 'tcp@127.0.0.1:80')).status, 403);
  } finally {
    assert.equal(await opened.stop(), 0);
  }
});

test('npm run registry refuses a bad --allow with exit code 2', { timeout: 30_000 }, async () => {
  const { code, stderr } = await runCli('registry.ts', ['--allow', 'nonsense'], { timeoutMs: 30_000 });
  assert.equal(code, 2);
  assert.match(stderr, /--allow "nonsense" has no network@/);
});
