import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { EchoPayload } from '../payload.ts';
import { GRPC_ECHO_SERVICE } from './grpc-echo-service.ts';

/** A grpc-js server answering `Bench.Echo` with its request, on an insecure loopback port. */
export async function startGrpcEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new Server();
  server.addService(GRPC_ECHO_SERVICE, {
    Echo: (call: ServerUnaryCall<EchoPayload, EchoPayload>, callback: sendUnaryData<EchoPayload>) =>
      callback(null, call.request),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Channels a client left open must not hold the shutdown.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}
