import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

/** `npm run <script> -- --help`: what the usage line says. */
function helpOf(script: string): Promise<string> {
  const child = spawn('npm', ['run', '--silent', script, '--', '--help'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stdout}`))));
  });
}

test('an npm script prints its own name in the usage line', async () => {
  assert.match(await helpOf('bench:baseline'), /^Usage: npm run bench:baseline -- /);
  assert.match(await helpOf('bench:gate'), /^Usage: npm run bench:gate -- /);
});
