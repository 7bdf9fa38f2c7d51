import { readFileSync } from 'node:fs';

/** The version of this checkout, from its package.json: what `--version` prints. */
export const RPCBENCH_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
