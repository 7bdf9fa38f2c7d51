// examples/ci: the workflow's commands, run as the workflow runs them: its install step in a fresh
// copy of this checkout (from the npm cache, offline), then its gate step with what that step
// installed, on a Go service whose head commit does more work per call than its base commit.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

const ROOT = new URL('../..', import.meta.url).pathname;
const WORKFLOW = join(ROOT, 'examples/ci/duet-gate.yml');
const run = promisify(execFile);

let dir: string;
let base: string;
let head: string;

async function git(...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', join(dir, 'service'), ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
  return stdout.trim();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The workflow's `run:` commands (folded `>-` blocks joined as YAML joins them). */
async function workflowCommands(): Promise<string[]> {
  const lines = (await readFile(WORKFLOW, 'utf8')).split('\n');
  const commands: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)run: ?(.*)$/.exec(lines[i]!);
    if (match === null) continue;
    if (match[2] !== '>-') {
      commands.push(match[2]!);
      continue;
    }
    const folded: string[] = [];
    while (
      i + 1 < lines.length &&
      /^\s+\S/.test(lines[i + 1]!) &&
      lines[i + 1]!.search(/\S/) > match[1]!.length
    ) {
      folded.push(lines[++i]!.trim());
    }
    commands.push(folded.join(' '));
  }
  return commands;
}

/** The files git tracks (or would: new files not ignored), as actions/checkout lays them out. */
async function copyCheckout(to: string): Promise<void> {
  const { stdout } = await run('git', ['-C', ROOT, 'ls-files', '-z', '-co', '--exclude-standard']);
  const files = stdout.split('\0').filter((file) => file !== '' && !file.startsWith('node_modules'));
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue;
    await mkdir(dirname(join(to, file)), { recursive: true });
    await cp(join(ROOT, file), join(to, file));
  }
}

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'rpcbench-ci-example-'));
    // The runner's layout: the service's repository in service/, rpcbench's checkout in rpcbench/
    // (the files of this checkout, without its installed packages or build).
    await copyCheckout(join(dir, 'rpcbench'));
    await mkdir(join(dir, 'service/go-peer'), { recursive: true });
    await cp(join(ROOT, 'go-peer'), join(dir, 'service/go-peer'), { recursive: true });
    // The base commit's calls do 100 µs of work, as a handler would (a bare echo of about 10 µs
    // is where two processes of the same code differ most); the head commit's 150 µs.
    const serverGo = join(dir, 'service/go-peer/server.go');
    const source = await readFile(serverGo, 'utf8');
    assert.match(source, /"spin", 0,/);
    await writeFile(serverGo, source.replace('"spin", 0,', '"spin", 100*time.Microsecond,'));
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-qm', 'base');
    base = await git('rev-parse', 'HEAD');
    await writeFile(serverGo, source.replace('"spin", 0,', '"spin", 150*time.Microsecond,'));
    await git('commit', '-qam', 'head');
    head = await git('rev-parse', 'HEAD');
  },
  { timeout: 60_000 },
);

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs one workflow command in the runner's layout, the pull request's commits filled in. */
async function runStep(
  command: string,
  baseSha: string,
  headSha: string,
  gateArgs = '--pairs 30 --window-ms 50',
): Promise<{ code: number | null; output: string }> {
  // GitHub Actions' expressions, filled in as the runner fills them.
  const filled = command
    .replace(/\$\{\{ github\.event\.pull_request\.base\.sha \}\}/, baseSha)
    .replace(/\$\{\{ github\.event\.pull_request\.head\.sha \}\}/, headSha);
  assert.doesNotMatch(filled, /\$\{\{/, 'every expression of the step is filled in');
  const [basePort, headPort] = [await freePort(), await freePort()];
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', filled], {
      cwd: dir,
      env: {
        ...process.env,
        RPCBENCH_DIR: 'rpcbench',
        BASE_PORT: String(basePort),
        HEAD_PORT: String(headPort),
        GATE_ARGS: gateArgs,
        GITHUB_STEP_SUMMARY: '',
        // Go builds offline here, with the cache the test run's other Go builds use.
        GOFLAGS: '-mod=mod',
        GOPROXY: 'off',
        GOWORK: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('the workflow runs two commands: the install step and the gate script, both run by this file', async () => {
  const commands = await workflowCommands();
  assert.equal(commands.length, 2);
  assert.match(commands[0]!, /^npm --prefix rpcbench ci$/);
  assert.match(commands[1]!, /^rpcbench\/examples\/ci\/gate-go-service\.sh service /);
});

test("the workflow's install step installs rpcbench from its lock file in the fresh checkout", {
  timeout: 300_000,
}, async () => {
  const [install] = await workflowCommands();
  assert.equal(existsSync(join(dir, 'rpcbench/node_modules')), false);
  // Offline: the packages come from the npm cache this project's own install filled, as in
  // test/package-install.test.ts; a lock file out of step with package.json fails `npm ci` here.
  const { stdout, stderr } = await run('bash', ['-c', install!], {
    cwd: dir,
    timeout: 280_000,
    // `npm run -s` (as `npm test` runs this file) passes loglevel=silent on to every npm below it.
    env: {
      ...process.env,
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_loglevel: 'notice',
    },
  }).catch((error: { message: string; stdout?: string; stderr?: string }) =>
    assert.fail(
      `${install} failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`.slice(-4_000),
    ),
  );
  assert.match(stdout + stderr, /added \d+ packages/);
  for (const installed of ['node_modules/.bin/tsx', 'node_modules/commander/package.json', 'dist/index.js']) {
    assert.ok(existsSync(join(dir, 'rpcbench', installed)), `${installed} after the install step`);
  }
});

test("the workflow's gate step fails a head commit doing more work per call, and writes the page", {
  timeout: 600_000,
}, async () => {
  const [, gate] = await workflowCommands();
  const exit = await runStep(gate!, base, head);
  assert.equal(exit.code, 1, exit.output);
  assert.match(exit.output, /server CPU per call .*REGRESSION/);
  const page = await readFile(join(dir, 'gate-report/gate-duet.html'), 'utf8');
  assert.match(page, /Regression gate: FAIL/);
  const json = JSON.parse(await readFile(join(dir, 'gate-report/gate-duet.json'), 'utf8')) as {
    passed: boolean;
  };
  assert.equal(json.passed, false);
});

test("the workflow's gate step passes when base and head are the same code", {
  timeout: 600_000,
}, async () => {
  const [, gate] = await workflowCommands();
  // The latency limit at 20 %: p99 of 50 ms windows moved by up to 15 % between equal builds
  // (test/gate-duet.test.ts); calls/s keeps the duet's default limit of 10 %.
  const exit = await runStep(gate!, base, base, '--pairs 30 --window-ms 50 --max-slowdown 0.2');
  assert.equal(exit.code, 0, exit.output);
  assert.match(exit.output, /Regression gate: pass/);
});
