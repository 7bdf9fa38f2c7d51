import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The npm scripts that run a command: `exec node [V8 flags] --import tsx src/cli/rpcbench.ts <command>`,
 * the binary's entry point (bench and bench:core start node with a larger young generation).
 */
async function commandScripts(): Promise<[script: string, command: string][]> {
  const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
  return Object.entries(scripts).flatMap(([name, script]) => {
    const match = /^exec node (?:--[\w-]+=\w+ )*--import tsx src\/cli\/rpcbench\.ts ([\w-]+)$/.exec(script);
    return match === null ? [] : [[name, match[1]!] as [string, string]];
  });
}

test('every command answers --version with the package version and exits 0, running nothing', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const commands = await commandScripts();
  assert.ok(commands.length >= 8, `commands found: ${commands.join(', ')}`);
  await Promise.all(
    commands.map(async ([, command]) => {
      for (const flag of ['--version', '-V']) {
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', 'src/cli/rpcbench.ts', command, flag],
          { timeout: 60_000 },
        );
        assert.equal(stdout, `rpcbench ${version}\n`, `${command} ${flag}`);
      }
    }),
  );
});

test('output cut short by the reader (`--help | head -c 10`) ends quietly with status 0', async () => {
  const { stdout, stderr } = await run(
    'bash',
    ['-c', `set -o pipefail; "${process.execPath}" --import tsx src/cli/bench.ts --help | head -c 10`],
    { timeout: 60_000 },
  );
  assert.equal(stdout, 'Usage: npm');
  assert.doesNotMatch(stderr, /EPIPE|Error/);
});

test('every npm script of a command runs the binary, whose --help names the command', async () => {
  const commands = await commandScripts();
  assert.ok(commands.length >= 8, `commands found: ${commands.map(([name]) => name).join(', ')}`);
  await Promise.all(
    commands.map(async ([name, command]) => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'src/cli/rpcbench.ts', command, '--help'],
        { timeout: 60_000 },
      );
      assert.ok(stdout.startsWith(`Usage: rpcbench ${command} `), `${name}: ${stdout.split('\n')[0]}`);
    }),
  );
});
