import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Go GeeRPC peer in go-peer/ (a server, a registry, a client, a gob checker),
 * built once per change of its sources and driven as a child process.
 */

const SOURCE_DIR = fileURLToPath(new URL('../../../go-peer', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../../../.cache', import.meta.url));
const BUILD_TIMEOUT_MS = 300_000;

let built: Promise<string> | undefined;

/**
 * Builds the peer (standard library only, offline) into `.cache/go-peer/`, under a name keyed by
 * a hash of its sources and of `go version`, so a change rebuilds and concurrent test processes
 * never see a half-written binary (each builds to a temporary name, then renames).
 */
export function buildGoPeer(): Promise<string> {
  built ??= build();
  return built;
}

async function build(): Promise<string> {
  const goVersion = await run('go', ['version'], {}).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new Error(
        'Go is not installed (no `go` on PATH): run scripts/install-system-deps.sh to install golang-go',
      );
    }
    throw error;
  });
  const hash = createHash('sha256').update(goVersion);
  const files = (await readdir(SOURCE_DIR))
    .filter((name) => name.endsWith('.go') || name === 'go.mod')
    .sort();
  for (const name of files) {
    hash.update(`\0${name}\0`).update(await readFile(join(SOURCE_DIR, name)));
  }
  const binDir = join(CACHE_DIR, 'go-peer');
  const binary = join(binDir, `go-peer-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  await mkdir(binDir, { recursive: true });
  const temporary = `${binary}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await run('go', ['build', '-trimpath', '-o', temporary, '.'], {
      cwd: SOURCE_DIR,
      env: {
        ...process.env,
        // CI runs as root, possibly without HOME: every Go location is set explicitly.
        GOCACHE: join(CACHE_DIR, 'go-build'),
        GOPATH: join(CACHE_DIR, 'gopath'),
        GOFLAGS: '-mod=mod',
        GOPROXY: 'off',
        GOWORK: 'off',
        GOTOOLCHAIN: 'local',
        CGO_ENABLED: '0',
      },
    });
    await rename(temporary, binary);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`building the Go peer failed: ${(error as Error).message}`, { cause: error });
  }
  return binary;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { ...options, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(error);
          else
            reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`, { cause: error }));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}
