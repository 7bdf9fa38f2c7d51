// The public API. Anything not listed here is internal.

export { renderHtmlReport, writeHtmlReport } from './report/html-report.ts';
export { HistogramDecodeError, InvalidResultError } from './report/report-errors.ts';
export type { Endpoint, Transport } from './rpc/address.ts';
export { formatAddress, parseAddress } from './rpc/address.ts';
export type { SumArgs } from './rpc/builtin-services.ts';
export { Bench, Foo } from './rpc/builtin-services.ts';
export type { CallOptions, ClientOptions, ResolvedClientOptions } from './rpc/client.ts';
export { Client, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HTTP_PATH } from './rpc/client.ts';
export type { CodecName } from './rpc/codec.ts';
export { CODEC_NAMES, DEFAULT_CODEC, DEFAULT_MAX_FRAME_BYTES } from './rpc/codec.ts';
export { dial } from './rpc/dial.ts';
export type { ProtocolErrorCode } from './rpc/errors.ts';
export {
  CallAbortedError,
  CallTimeoutError,
  ClientClosedError,
  ConnectionClosedError,
  ConnectTimeoutError,
  DialError,
  EncodeError,
  FrameTooLargeError,
  InvalidAddressError,
  InvalidArgumentError,
  isRpcError,
  isTransportError,
  ProtocolError,
  RemoteError,
  RpcError,
} from './rpc/errors.ts';
export { MAGIC_NUMBER } from './rpc/handshake.ts';
export type { RegisterOptions, ServerOptions } from './rpc/server.ts';
export { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_RPC_PATHS, Server } from './rpc/server.ts';
export type { CallContext, MethodHandler } from './rpc/service.ts';
