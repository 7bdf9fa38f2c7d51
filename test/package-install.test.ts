// The package as a user gets it: packed, installed into another project from the npm cache, run
// with plain node from dist/ (no tsx in any thread but for the user's own .ts file).
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readResult } from '../src/result/result-file.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMMAND_TIMEOUT_MS = 180_000;

let project: string;
let tarball: string;

/** Runs a command in the temporary project, as a user types it there. */
function inProject(file: string, args: readonly string[]) {
  return run(file, args, {
    cwd: project,
    timeout: COMMAND_TIMEOUT_MS,
    env: { ...process.env, GITHUB_STEP_SUMMARY: '', npm_config_update_notifier: 'false' },
  });
}

before(async () => {
  project = await mkdtemp(join(tmpdir(), 'rpcbench-installed-'));
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', project], {
    cwd: ROOT,
    timeout: COMMAND_TIMEOUT_MS,
  });
  tarball = join(project, stdout.trim().split('\n').at(-1)!);
  // No "type": "module": tsx compiles the user's .ts file to CommonJS, the harder way to reach the package.
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
  await inProject('npm', ['i', tarball, '--prefer-offline', '--no-audit', '--no-fund']);
});

after(async () => {
  if (project !== undefined) await rm(project, { recursive: true, force: true });
});

test('the tarball holds the build, the examples and the license, no tests, fixtures or CI files', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.trim().split('\n');
  for (const needed of [
    'package/dist/cli/rpcbench.js',
    'package/dist/index.js',
    'package/dist/index.d.ts',
    'package/dist/entry/harness.d.ts',
    'package/dist/report/page/page-client.js',
    'package/scenarios/roundrobin.ts',
    'package/go-peer/go.mod',
    'package/LICENSE',
    'package/README.md',
    'package/docs/rpc.md',
  ]) {
    assert.ok(files.includes(needed), `${needed} missing from the tarball`);
  }
  const unwanted = files.filter((file) =>
    /^package\/(test|src|\.ci|reports|scripts|node_modules)\/|\.test\.|fixtures\//.test(file),
  );
  assert.deepEqual(unwanted, []);
});

test('npx rpcbench answers --version and lists its commands', async () => {
  const version = await inProject('npx', ['--no-install', 'rpcbench', '--version']);
  assert.match(version.stdout, /^rpcbench \d+\.\d+\.\d+\n$/);
  const help = await inProject('npx', ['--no-install', 'rpcbench', '--help']);
  for (const command of ['bench', 'call', 'serve', 'registry', 'agent', 'report', 'gate', 'core', 'soak']) {
    assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  }
  const subcommand = await inProject('npx', ['--no-install', 'rpcbench', 'call', '--version']);
  assert.equal(subcommand.stdout, version.stdout);
});

/** The one result file a run wrote into `dir` of the project. */
async function onlyResult(dir: string) {
  const results = (await readdir(join(project, dir))).filter((name) => name.endsWith('.json'));
  assert.equal(results.length, 1, `result files in ${dir}: ${results.join(', ')}`);
  return readResult(join(project, dir, results[0]!));
}

/** `npx rpcbench serve` on a free port; resolves with the process and its address. */
async function startServer(): Promise<{ server: ChildProcess; address: string }> {
  const server = spawn('npx', ['--no-install', 'rpcbench', 'serve', '--listen', 'tcp@127.0.0.1:0'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no address: ${out}`)), 60_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /tcp@127\.0\.0\.1:\d+/.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[0]);
    });
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { server, address };
}

/** Stops the server as a terminal's Ctrl-C would: the whole group (npx and node). */
function stopServer(server: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    server.once('close', () => resolve());
    process.kill(-server.pid!, 'SIGINT');
  });
}

test('npx rpcbench serve, then npx rpcbench bench --target against it and a plain .mjs with Client', async (t) => {
  const { server, address } = await startServer();
  t.after(() => stopServer(server));
  const bench = await inProject('npx', [
    '--no-install',
    'rpcbench',
    'bench',
    '--target',
    address,
    '--method',
    'Bench.Echo',
    '--args',
    '"x"',
    '--duration',
    '1s',
    '--warmup',
    '0s',
    '--out',
    'reports',
    '--quiet',
  ]);
  // execFile rejects on a non-zero exit: reaching here means exit 0.
  assert.match(bench.stdout + bench.stderr, /wrote reports\/target-.*\.json/);
  const [phase] = (await onlyResult('reports')).phases;
  assert.ok(phase!.calls > 0);
  assert.equal(phase!.errors, 0);

  await writeFile(
    join(project, 'call.mjs'),
    `import { Client, dial } from 'rpcbench';
const client = await dial(process.argv[2]);
if (!(client instanceof Client)) throw new Error('dial did not return a Client');
const reply = await client.call('Bench.Echo', 'from a plain .mjs');
await client.close();
process.stdout.write(JSON.stringify(reply));
`,
  );
  const call = await inProject(process.execPath, ['call.mjs', address]);
  assert.equal(call.stdout, '"from a plain .mjs"');
});

test('a .ts scenario and its .ts service in the project import rpcbench and run with npx rpcbench bench', async () => {
  await writeFile(
    join(project, 'counter-service.ts'),
    `import type { CallContext } from 'rpcbench';
export default class Counter {
  Add(args: { Value: number }, _ctx: CallContext): number { return args.Value + 1; }
}
`,
  );
  // The service runs in the server threads, the scenario in the main thread: tsx in both, registered on demand.
  await writeFile(
    join(project, 's.ts'),
    `import { defineScenario } from 'rpcbench';
export default defineScenario({
  name: 'installed',
  description: 'A scenario in a project that installed rpcbench',
  servers: { count: 2, service: './counter-service.ts' },
  call: {
    method: 'Counter.Add',
    args: (i: number) => ({ Value: i }),
    check: (reply: unknown, args: unknown) => reply === (args as { Value: number }).Value + 1 || 'wrong sum',
  },
  load: { model: 'closed', concurrency: 4 },
  calls: 200,
  warmupMs: 0,
});
`,
  );
  await inProject('npx', [
    '--no-install',
    'rpcbench',
    'bench',
    './s.ts',
    '--out',
    'scenario-reports',
    '--quiet',
  ]);
  const [phase] = (await onlyResult('scenario-reports')).phases;
  assert.equal(phase!.calls, 200);
  assert.equal(phase!.errors, 0, JSON.stringify(phase!.errorSamples));
});
