import { once } from 'node:events';
import { startTypeScriptWorker } from '../../../harness/threads/typescript-worker.ts';
import { RpcError } from '../../../util/errors.ts';
import type { ServersReady, ServerThreadMessage } from './server-messages.ts';

const STOP_TIMEOUT_MS = 5_000;

export interface ServerThread {
  readonly servers: ServersReady;
  /** Closes the servers, then ends the thread; terminates it if that takes too long. */
  stop(): Promise<void>;
}

/** Starts the worker thread holding the rpcbench, raw echo and grpc-js servers. */
export async function startServerThread(): Promise<ServerThread> {
  const worker = startTypeScriptWorker(new URL('./server-worker.ts', import.meta.url));
  const [first] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([error]) => Promise.reject(error)),
  ])) as [ServerThreadMessage];
  if (first.kind !== 'ready') {
    await worker.terminate();
    const detail = first.kind === 'failed' ? first.message : first.kind;
    throw new RpcError('ERR_SERVER_THREAD', `core bench: the server thread did not start: ${detail}`);
  }
  return {
    servers: first,
    async stop() {
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      const exited = once(worker, 'exit');
      worker.postMessage('stop');
      await exited;
      clearTimeout(timer);
    },
  };
}
