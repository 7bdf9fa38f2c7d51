// How long a command takes from its start to its first bytes on the wire to the server: the
// start-up of `rpcbench bench --target`. A TCP proxy in front of the server notes the time of the
// first byte from each run (the handshake; the first call follows within one round trip).
//
//   node scripts/startup-time.mjs --server tcp@127.0.0.1:9999 --rounds 5 -- \
//     npx --no-install rpcbench bench --target {target} --method Bench.Echo --args '"x"' --duration 1s --quiet
//
// Prints the median and each round in ms. {target} is replaced by the proxy's address.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
if (split < 0)
  throw new Error('usage: startup-time.mjs --server tcp@host:port [--rounds n] -- command {target} ...');
const flags = Object.fromEntries(
  argv.slice(0, split).flatMap((arg, i, all) => (arg.startsWith('--') ? [[arg.slice(2), all[i + 1]]] : [])),
);
const command = argv.slice(split + 1);
const [host, port] = String(flags.server).replace(/^tcp@/, '').split(':');
const rounds = Number(flags.rounds ?? 5);

let firstByteAt;
const proxy = createServer((client) => {
  const upstream = connect(Number(port), host);
  client.once('data', () => {
    firstByteAt ??= performance.now();
  });
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const target = `tcp@127.0.0.1:${proxy.address().port}`;

const samples = [];
for (let round = 0; round < rounds; round++) {
  firstByteAt = undefined;
  const startedAt = performance.now();
  const child = spawn(
    command[0],
    command.slice(1).map((arg) => arg.replaceAll('{target}', target)),
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0 || firstByteAt === undefined) throw new Error(`round ${round}: exit ${code}, no bytes sent`);
  samples.push(firstByteAt - startedAt);
}
proxy.close();
const sorted = [...samples].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`median ${median.toFixed(0)} ms; rounds ${samples.map((ms) => ms.toFixed(0)).join(', ')} ms`);
