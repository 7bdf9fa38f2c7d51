/** What the server thread posts once its servers listen. */
export interface ServersReady {
  kind: 'ready';
  /** `tcp@127.0.0.1:port` of the rpcbench server with `Bench` registered. */
  rpcAddress: string;
  rawEchoPort: number;
  grpcPort: number;
}

/** What the server thread posts when starting failed. */
export interface ServersFailed {
  kind: 'failed';
  message: string;
}

export type ServerThreadMessage = ServersReady | ServersFailed | { kind: 'stopped' };
