import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readResult } from '../../src/result/result-file.ts';
import { type RunResult, runResultSchema } from '../../src/result/result-schema.ts';
import { runCli } from '../fixtures/run-cli.ts';

const FIXTURES = 'test/fixtures/scenarios';
/** Liveness only: a CLI run that takes this long is stuck. */
const RUN_TIMEOUT_MS = 60_000;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * How a user starts the CLI: node with tsx loaded, tsx's own launcher, or npm (both parent
 * processes that relay signals to the CLI).
 */
type Launcher = 'node --import tsx' | 'tsx' | 'npm run bench';

/**
 * `group`: the CLI runs in a process group of its own (setsid), so that a test can signal the whole
 * group as a terminal's Ctrl-C and a CI runner's cancel do.
 */
function startCli(
  args: string[],
  launcher: Launcher = 'node --import tsx',
  group = false,
): { child: ChildProcess; finished: Promise<Finished> } {
  const [command, prefix] =
    launcher === 'tsx'
      ? ['node_modules/.bin/tsx', ['src/cli/bench.ts']]
      : launcher === 'npm run bench'
        ? ['npm', ['run', '--silent', 'bench', '--']]
        : [process.execPath, ['--import', 'tsx', 'src/cli/bench.ts']];
  const child = spawn(command, [...prefix, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench ${args.join(' ')} did not exit within ${RUN_TIMEOUT_MS} ms\n${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, finished };
}

let outDir = '';
before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'rpcbench-cli-'));
});
after(async () => {
  await rm(outDir, { recursive: true, force: true });
});

test('an invalid scenario exits 2 naming the file and the field', async () => {
  const { code, stderr } = await startCli([`${FIXTURES}/unknown-field.ts`, '--out', outDir]).finished;
  assert.equal(code, 2);
  assert.match(stderr, /test\/fixtures\/scenarios\/unknown-field\.ts: servers\.colour: unknown field/);
});

test('contradictory flags are a usage error naming both; a search flag without --search names what it needs', async () => {
  const target = ['--target', 'tcp@127.0.0.1:1', '--method', 'Foo.Sum'];
  for (const [flags, named] of [
    [['--rate', '100', '--concurrency', '4'], '--rate and --concurrency'],
    [['--stages', '1s:10/s', '--rate', '100'], '--stages and --rate'],
    [['--search', 'p99<5ms', '--concurrency', '4'], '--search and --concurrency'],
    [['--stages', '1s:4', '--max-in-flight', '8'], '--max-in-flight and --stages of callers'],
    [['--search-max', '10s'], '--search-max needs --search'],
  ] as const) {
    const { code, stderr } = await startCli([...target, ...flags]).finished;
    assert.equal(code, 2, stderr);
    assert.ok(stderr.includes(named), stderr);
  }
  const tooLong = await startCli([...target, '--duration', '8d']).finished;
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /--duration <time>.*'8d' is invalid\. must be at most 7d/);
});

test('a missing file and a bad option exit 2', async () => {
  const missing = await startCli([`${FIXTURES}/nope.ts`, '--out', outDir]).finished;
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.ts: file not found/);
  const badOption = await startCli(['--calls', 'many', 'scenarios/roundrobin.ts']).finished;
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /--calls/);
  const noFile = await startCli([]).finished;
  assert.equal(noFile.code, 2);
});

test('--help lists the scenarios and the options, and exits 0', async () => {
  const { code, stdout } = await startCli(['--help']).finished;
  assert.equal(code, 0);
  assert.match(stdout, /roundrobin\.ts\s+Round robin over 3 servers/);
  assert.match(stdout, /open-loop\.ts/);
  assert.match(stdout, /--duration <time>/);
  assert.match(stdout, /--calls <n>/);
  for (const flag of ['--target', '--registry', '--etcd', '--method', '--args', '--rate', '--concurrency']) {
    assert.match(stdout, new RegExp(`${flag} `), flag);
  }
  assert.match(stdout, /runs with your rights/);
});

test('--help reads the scenario descriptions without running the files', async () => {
  const scenarioDir = join(outDir, 'help-scenarios');
  await mkdir(join(scenarioDir, 'scenarios'), { recursive: true });
  const marker = join(scenarioDir, 'ran.txt');
  await writeFile(
    join(scenarioDir, 'scenarios', 'side-effect.ts'),
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { name: 'x', description: 'Writes a file when imported' };\n`,
  );
  const { code, stdout } = await runCli('bench.ts', ['--help'], { cwd: scenarioDir });
  assert.equal(code, 0);
  assert.match(stdout, /side-effect\.ts\s+Writes a file when imported/);
  await assert.rejects(access(marker), 'listing the scenarios imported one');
});

test('a broken threshold exits 1 saying which, with the measured value; --json prints the result', async () => {
  const dir = join(outDir, 'threshold');
  const { code, stdout, stderr } = await startCli([
    `${FIXTURES}/threshold-fails.ts`,
    '--calls',
    '150',
    '--out',
    dir,
    '--json',
  ]).finished;
  assert.equal(code, 1, stderr);
  assert.match(stderr, /threshold failed: FAIL {2}roundrobin: p50 < 1us \(measured \d/);
  assert.doesNotMatch(stderr, /threshold failed: .*errors < 1%/);
  const printed = runResultSchema.parse(JSON.parse(stdout));
  assert.equal(printed.phases[0]?.calls, 150);
  const files = (await readdir(dir)).sort();
  assert.equal(files.length, 2, 'one JSON result and its HTML report');
  assert.match(files[0]!, /^threshold-fails-.*\.html$/);
  assert.equal(files[1], files[0]!.replace(/\.html$/, '.json'));
  const written = await readResult(join(dir, files[1]!));
  assert.deepEqual(written, printed);
  assert.equal(written.thresholds.find((outcome) => outcome.expression === 'p50 < 1us')?.passed, false);
});

const INTERRUPTS: { signal: NodeJS.Signals; launcher: Launcher; status: number; group?: boolean }[] = [
  { signal: 'SIGINT', launcher: 'node --import tsx', status: 130 },
  { signal: 'SIGTERM', launcher: 'node --import tsx', status: 143 },
  { signal: 'SIGTERM', launcher: 'tsx', status: 143 },
  { signal: 'SIGTERM', launcher: 'npm run bench', status: 143 },
  // The whole group, as a terminal's Ctrl-C and a cancelled CI job: npm relays a second copy at once.
  { signal: 'SIGINT', launcher: 'npm run bench', status: 130, group: true },
  { signal: 'SIGTERM', launcher: 'npm run bench', status: 143, group: true },
];

/**
 * Resolves once the CLI's stderr has shown a line matching each pattern in turn: a test signals a
 * run at a known point of it, however slowly a busy machine starts its threads.
 */
function reached(child: ChildProcess, patterns: readonly RegExp[]): Promise<void> {
  const remaining = [...patterns];
  let seen = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the run never printed ${remaining[0]}:\n${seen}`)),
      RUN_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      for (let line = seen.indexOf('\n'); line !== -1; line = seen.indexOf('\n')) {
        if (remaining[0]!.test(seen.slice(0, line))) remaining.shift();
        seen = seen.slice(line + 1);
        if (remaining.length > 0) continue;
        child.stderr!.off('data', onData);
        clearTimeout(timer);
        resolve();
        return;
      }
    };
    child.stderr!.on('data', onData);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The signal, to the CLI's process or to its whole group; then the status a shell sees, and the JSON result written. */
async function interrupt(
  started: { child: ChildProcess; finished: Promise<Finished> },
  signal: NodeJS.Signals,
  group: boolean,
  dir: string,
): Promise<{ status: number; stdout: string; stderr: string; result: RunResult }> {
  if (group) process.kill(-started.child.pid!, signal);
  else started.child.kill(signal);
  const { code, signal: killedBy, stdout, stderr } = await started.finished;
  // npm relays the signal, waits for the CLI, then ends itself by the same signal: a shell sees 128 + its number.
  const status = code ?? 128 + constants.signals[killedBy!];
  const files = (await readdir(dir).catch(() => [])).sort();
  assert.equal(files.length, 2, `one partial JSON result and its HTML report (status ${status})\n${stderr}`);
  const result = await readResult(join(dir, files.find((file) => file.endsWith('.json'))!));
  return { status, stdout, stderr, result };
}

for (const { signal, launcher, status, group = false } of INTERRUPTS) {
  const to = group ? 'the process group' : 'the process';
  test(`${signal} to ${to} under ${launcher} stops the run, writes a partial result and exits ${status}`, async () => {
    const dir = join(outDir, `interrupted-${signal}-${launcher.replace(/\W+/g, '-')}-${group}`);
    const started = startCli([`${FIXTURES}/long-run.ts`, '--quiet', '--out', dir], launcher, group);
    await reached(started.child, [/phase 1\/1 roundrobin: measuring$/]);
    await sleep(1_000);
    const { status: shellStatus, stderr, result } = await interrupt(started, signal, group, dir);
    assert.equal(shellStatus, status, stderr);
    assert.equal(result.partial, true);
    assert.ok((result.phases[0]?.calls ?? 0) > 0, 'the partial result holds what was measured');
    assert.ok(result.phases[0]!.durationMs < 60_000);
    assert.equal(result.phases[0]!.interrupted, true);
    assert.deepEqual(result.stoppedIn, { phase: 'roundrobin', stage: 'measure' });
  });
}

test('SIGTERM to the process group during the warm-up writes a result that says nothing was measured', async () => {
  const dir = join(outDir, 'interrupted-warm-up');
  const started = startCli(
    [`${FIXTURES}/long-run.ts`, '--quiet', '--warmup', '60s', '--out', dir],
    'npm run bench',
    true,
  );
  await reached(started.child, [/phase 1\/1 roundrobin: warming up 60s/]);
  await sleep(500);
  const { status, stdout, stderr, result } = await interrupt(started, 'SIGTERM', true, dir);
  assert.equal(status, 143, stderr);
  assert.equal(result.partial, true);
  assert.deepEqual(result.phases, []);
  assert.deepEqual(result.stoppedIn, { phase: 'roundrobin', stage: 'warm-up' });
  assert.match(stdout, /interrupted in the warm-up of roundrobin: nothing of it was measured/);
});

test('SIGINT to the process group during a search keeps its steps so far and the step in progress', async () => {
  const dir = join(outDir, 'interrupted-search');
  const started = startCli([`${FIXTURES}/long-search.ts`, '--out', dir], 'npm run bench', true);
  await reached(started.child, [/search step 1 grow/, /phase 1\/1 roundrobin grow 100\/s: measuring$/]);
  await sleep(500);
  const { status, stdout, stderr, result } = await interrupt(started, 'SIGINT', true, dir);
  assert.equal(status, 130, stderr);
  const phase = result.phases[0]!;
  const search = phase.search!;
  assert.equal(search.stoppedBy, 'stopped');
  assert.deepEqual(
    search.steps.map((step) => [step.offeredRatePerSecond, step.interrupted === true]),
    [
      [50, false],
      [100, true],
    ],
  );
  assert.ok(search.steps[1]!.calls > 0, 'the step in progress keeps its calls so far');
  assert.equal(search.steps[1]!.passed, false);
  assert.equal(phase.interrupted, true);
  assert.deepEqual(result.stoppedIn, { phase: 'roundrobin grow 100/s', stage: 'measure' });
  assert.match(stdout, /2 +grow +100 .* interrupted after \d/);
});
