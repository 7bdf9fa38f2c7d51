import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('every command answers --version with the package version and exits 0, running nothing', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
  const commands = (await readdir('src/cli')).filter((file) =>
    Object.values(scripts).some((script) => script.endsWith(`src/cli/${file}`)),
  );
  assert.ok(commands.length >= 8, `commands found: ${commands.join(', ')}`);
  await Promise.all(
    commands.map(async (file) => {
      for (const flag of ['--version', '-V']) {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', `src/cli/${file}`, flag], {
          timeout: 60_000,
        });
        assert.equal(stdout, `rpcbench ${version}\n`, `${file} ${flag}`);
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

test('every --help names the npm script that runs the command', async () => {
  const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
  // Each command's script execs it, so that npm's signals reach the command itself.
  const commands = Object.entries(scripts).filter(([, script]) =>
    /^exec tsx src\/cli\/[\w-]+\.ts$/.test(script),
  );
  assert.ok(commands.length >= 8, `commands found: ${commands.map(([name]) => name).join(', ')}`);
  await Promise.all(
    commands.map(async ([name, script]) => {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', script.slice('exec tsx '.length), '--help'],
        {
          timeout: 60_000,
        },
      );
      assert.ok(stdout.startsWith(`Usage: npm run ${name} -- `), `${name}: ${stdout.split('\n')[0]}`);
    }),
  );
});
