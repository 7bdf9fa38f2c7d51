// `npm run bench:soak`: a server under every known attack beside a well-behaved client.
import { Command, Option } from 'commander';
import { HOSTILE_SERVER_KINDS } from '../benchmarks/soak/hostile-servers.ts';
import { TARGET_RUN_GRACE_MS } from '../benchmarks/soak/hostile-targets.ts';
import { DEFAULT_SOAK_MS, FLAT_RSS_GROWTH_BYTES, runSoak } from '../benchmarks/soak/run-soak.ts';
import { msToSeconds } from '../util/units.ts';
import { duration, parseCommandLine } from './arguments.ts';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

const MIB = 1024 * 1024;

function buildProgram(): Command {
  return new Command()
    .name('npm run bench:soak --')
    .description(
      'Runs `npm run serve` in its own process for --duration under hostile traffic from several ' +
        'connections (pipelined sleeps never read, unknown 64 KiB method names never read, a JSON line ' +
        'a byte per segment, a declared 15 MiB frame trickled, 200 idle connections, connections ' +
        'without a handshake, HTTP connections held open after their answer) beside a well-behaved ' +
        'client with 16 calls in flight, and samples the server RSS each second. Meanwhile the harness in ' +
        'this process, as `npm run bench -- --target` does, runs for --duration against a well-behaved ' +
        `server and every kind of hostile one at once (${HOSTILE_SERVER_KINDS.join(', ')}), and this ` +
        'process samples its own RSS. PASS: every call to a ' +
        `well-behaved server succeeded and RSS stayed flat (last third within ${FLAT_RSS_GROWTH_BYTES / MIB} MiB ` +
        'of the second third) on both sides, every call to a hostile server failed with a typed error, ' +
        `and the target run ended within --duration + ${TARGET_RUN_GRACE_MS / 1000} s.\nExit codes: 0 pass, 1 fail, 2 bad command line.`,
    )
    .addOption(
      new Option('--duration <time>', 'how long; seconds, or with a unit: 500ms, 10s, 2m')
        .argParser(duration({ plainUnit: 's', allowZero: false }))
        .default(DEFAULT_SOAK_MS, `${msToSeconds(DEFAULT_SOAK_MS)}s`),
    )
    .option('--json', 'print the result as JSON');
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const parsed = parseCommandLine(program, argv);
  if (parsed !== undefined) return parsed;
  const options = program.opts<{ duration: number; json?: boolean }>();
  const result = await runSoak({
    serveScript: new URL('./serve.ts', import.meta.url),
    durationMs: options.duration,
    onSample: options.json
      ? undefined
      : (elapsedMs, rss, ok) =>
          process.stderr.write(
            `${(elapsedMs / 1000).toFixed(0)} s: server RSS ${(rss / MIB).toFixed(1)} MiB, ${ok} calls ok\n`,
          ),
  });
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
    console.log(
      [
        `soak ${(result.durationMs / 1000).toFixed(1)} s, server ${result.serverArgs.join(' ')}`,
        `well-behaved: ${result.okCalls} calls ok, ${result.failedCalls} failed${result.firstFailure ? ` (first: ${result.firstFailure})` : ''}, ${result.callsPerSecond.toFixed(0)} calls/s, slowest ${result.maxLatencyMs.toFixed(1)} ms`,
        `server RSS: first sample ${mib(result.rssStartBytes)}, max ${mib(result.rssMaxBytes)}, growth last third vs second ${mib(result.rssGrowthBytes)}`,
        `server log: ${result.serverLogLines} lines${result.serverExitedEarly ? '; THE SERVER EXITED' : ''}`,
        'attacks (connections opened / closed by the server / MiB sent):',
        ...Object.keys(result.attacks.opened).map((kind) => {
          const k = kind as keyof typeof result.attacks.opened;
          return `  ${kind.padEnd(22)} ${result.attacks.opened[k]} / ${result.attacks.closedByServer[k]} / ${(result.attacks.bytesSent[k] / MIB).toFixed(1)}`;
        }),
        `load tester: one target run of ${(result.targetRunElapsedMs / 1000).toFixed(1)} s (at most ${msToSeconds(options.duration + TARGET_RUN_GRACE_MS).toFixed(1)} s), its RSS growth ${mib(result.clientRssGrowthBytes)}, ${result.unattributedTargetErrors} errors naming no server`,
        `  ${'well-behaved'.padEnd(24)} ${result.wellBehavedTarget.calls} calls, ${result.wellBehavedTarget.errors} errors`,
        '  hostile servers (calls / outcomes):',
        ...Object.entries(result.hostileTargets).map(
          ([kind, tally]) =>
            `    ${kind.padEnd(22)} ${tally.calls} / ${Object.entries(tally.errorsByCode)
              .map(([code, count]) => `${code}×${count}`)
              .join(', ')}`,
        ),
        result.passed ? 'PASS' : 'FAIL',
      ].join('\n'),
    );
  }
  return result.passed ? EXIT_OK : EXIT_FAILURE;
}

runProgram(import.meta.url, 'bench-soak', () => main(process.argv.slice(2)));
