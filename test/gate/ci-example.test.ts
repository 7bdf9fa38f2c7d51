// examples/ci: the workflow's gate command, run as the workflow runs it, on a Go service whose
// head commit does more work per call than its base commit.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

before(
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'rpcbench-ci-example-'));
    // The runner's layout: the service's repository in service/, rpcbench's checkout in rpcbench/.
    await symlink(ROOT, join(dir, 'rpcbench'));
    await mkdir(join(dir, 'service/go-peer'), { recursive: true });
    await cp(join(ROOT, 'go-peer'), join(dir, 'service/go-peer'), { recursive: true });
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-qm', 'base');
    base = await git('rev-parse', 'HEAD');
    // The head commit makes every call do 50 µs more work, as a slower handler would.
    const serverGo = join(dir, 'service/go-peer/server.go');
    const source = await readFile(serverGo, 'utf8');
    assert.match(source, /"spin", 0,/);
    await writeFile(serverGo, source.replace('"spin", 0,', '"spin", 50*time.Microsecond,'));
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
  gateArgs = '--pairs 30 --slice-ms 50',
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

test('the workflow installs rpcbench and runs only the gate script, which this file runs', async () => {
  const commands = await workflowCommands();
  assert.deepEqual(commands[0], 'npm --prefix rpcbench ci');
  assert.equal(commands.length, 2);
  assert.match(commands[1]!, /^rpcbench\/examples\/ci\/gate-go-service\.sh service /);
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
  // Looser limits: an echo costs about 10 µs, where two processes of the same code differ by
  // up to 20 % on a loaded machine (which core each gets); this checks the wiring, not the noise.
  const exit = await runStep(
    gate!,
    base,
    base,
    '--pairs 30 --slice-ms 50 --max-slowdown 0.4 --max-throughput-slowdown 0.4',
  );
  assert.equal(exit.code, 0, exit.output);
  assert.match(exit.output, /Regression gate: pass/);
});
