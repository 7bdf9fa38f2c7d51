import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { openInBrowser } from '../report/browser-opener.ts';
import { writeHtmlReport, writeNewHtmlReport } from '../report/html-report.ts';
import { defaultReportPath } from '../report/output-path.ts';
import { readResultFile } from '../report/result-input.ts';
import { isRpcError } from '../util/errors.ts';
import { parseCommandLine } from './arguments.ts';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { runProgram } from './run-program.ts';

const program = new Command()
  .name('npm run report --')
  .description(
    'Draws the HTML report of saved result files (reports/*.json). One file: its report. ' +
      'Two: a comparison, the first file being the reference; more than two need --compare-all.\n' +
      'Exit codes: 0 written, 2 bad command line or a result file that is not valid (a histogram out of bounds included).',
  )
  .argument('<result.json...>', 'result files written by npm run bench')
  .option(
    '--out <file>',
    'where to write the page (default: beside the first result, .html; compare-<time>.html for several)',
  )
  .option('--compare-all', 'compare every result given, when there are more than two')
  .option('--open', 'open the page in the default browser')
  .showHelpAfterError();

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(program, argv);
  if (parsed !== undefined) return parsed;
  const files = program.args;
  const options = program.opts<{ out?: string; open?: boolean; compareAll?: boolean }>();
  if (files.length > 2 && !options.compareAll) {
    console.error(
      `error: ${files.length} result files given; a comparison takes two (the first is the reference). ` +
        'Name the two to compare, or add --compare-all to compare them all.',
    );
    return EXIT_USAGE;
  }
  const results = [];
  for (const file of files) {
    try {
      results.push(await readResultFile(file));
    } catch (error) {
      if (isRpcError(error, 'ERR_INVALID_RESULT') || isRpcError(error, 'ERR_BAD_HISTOGRAM')) {
        console.error(`error: ${error.message}`);
        return EXIT_USAGE;
      }
      throw error;
    }
  }
  let out: string;
  if (options.out !== undefined || files.length === 1) {
    out = resolve(options.out ?? defaultReportPath(files));
    await writeHtmlReport(results, out);
  } else out = await writeNewHtmlReport(results, resolve(defaultReportPath(files)));
  console.log(`report written to ${out}`);
  if (options.open) {
    const opener = await openInBrowser(out);
    if (opener === null)
      console.log(`could not open a browser here; the report is at ${pathToFileURL(out).href}`);
    else console.log(`opened with ${opener}`);
  }
  return EXIT_OK;
}

runProgram(import.meta.url, 'report', () => main(process.argv.slice(2)));
