// The worker thread that hosts every server the core benchmark calls, so that client and server
// each have an event loop (and, given two cores, a core) of their own.
import { parentPort } from 'node:worker_threads';
import { startThreadProfile } from '../../../harness/profile/thread-profile.ts';
import { Bench } from '../../../rpc/server/builtin-services.ts';
import { Server } from '../../../rpc/server/server.ts';
import { startGrpcEchoServer } from './grpc-echo-server.ts';
import { startRawEchoServer } from './raw-echo-server.ts';
import type { ServerThreadMessage } from './server-messages.ts';

const port = parentPort!;
const post = (message: ServerThreadMessage): void => port.postMessage(message);

try {
  const profile = await startThreadProfile('server');
  const rpcServer = new Server().register(new Bench());
  const rpcAddress = await rpcServer.listen('tcp@127.0.0.1:0');
  const rawEcho = await startRawEchoServer();
  const grpc = await startGrpcEchoServer();
  port.once('message', async () => {
    await Promise.all([rpcServer.destroy(), rawEcho.close(), grpc.close()]);
    await profile?.stop();
    post({ kind: 'stopped' });
    port.close();
  });
  post({ kind: 'ready', rpcAddress, rawEchoPort: rawEcho.port, grpcPort: grpc.port });
} catch (error) {
  post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
