import { spawn } from 'node:child_process';

/** How long to wait for the opener to report failure; one that is still running is taken as opening. */
const OPENER_WAIT_MS = 2_000;

function openerFor(platform: NodeJS.Platform, path: string): [string, string[]] {
  if (platform === 'darwin') return ['open', [path]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', path]];
  return ['xdg-open', [path]];
}

/** Without a display, xdg-open falls back to text browsers that would take over the terminal. */
function hasDesktop(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Asks the desktop to open a file in its browser. Resolves to the opener's name when it started
 * and did not fail, or null when there is no desktop or no opener: the caller then says where the file is.
 */
export function openInBrowser(
  path: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  if (!hasDesktop(platform, env)) return Promise.resolve(null);
  const [command, args] = openerFor(platform, path);
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.unref();
      resolve(command);
    }, OPENER_WAIT_MS);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? command : null);
    });
  });
}
