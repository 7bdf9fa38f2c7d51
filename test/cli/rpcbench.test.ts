// The `rpcbench` binary from the sources: one entry point, a subcommand per command program.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RPCBENCH_VERSION } from '../../src/util/version.ts';
import { runCli } from '../fixtures/run-cli.ts';

const COMMANDS = ['bench', 'call', 'serve', 'registry', 'agent', 'report', 'gate', 'core', 'soak'];

test('rpcbench --help lists every command; no command is a usage error', async () => {
  const help = await runCli('rpcbench.ts', ['--help']);
  assert.equal(help.code, 0, help.stderr);
  for (const command of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  const bare = await runCli('rpcbench.ts', []);
  assert.equal(bare.code, 2);
  assert.match(bare.stdout, /^Usage: rpcbench <command>/);
});

test('rpcbench names an unknown command and exits 2', async () => {
  const { code, stderr } = await runCli('rpcbench.ts', ['benhc']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown command "benhc"/);
});

test('every subcommand answers --help under its own name, and --version', async () => {
  for (const command of COMMANDS) {
    const help = await runCli('rpcbench.ts', [command, '--help']);
    assert.equal(help.code, 0, `${command}: ${help.stderr}`);
    assert.match(help.stdout, new RegExp(`^Usage: rpcbench ${command} `), command);
  }
  const top = await runCli('rpcbench.ts', ['--version']);
  const sub = await runCli('rpcbench.ts', ['report', '--version']);
  assert.equal(top.stdout, `rpcbench ${RPCBENCH_VERSION}\n`);
  assert.equal(sub.stdout, top.stdout);
});

test('a subcommand gets its own arguments and exit status: a bad flag is a usage error', async () => {
  const { code, stderr } = await runCli('rpcbench.ts', ['call', '--no-such-flag']);
  assert.equal(code, 2);
  assert.match(stderr, /unknown option '--no-such-flag'/);
});
