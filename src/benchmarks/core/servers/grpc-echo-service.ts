import type { ServiceDefinition } from '@grpc/grpc-js';
import type { EchoPayload } from '../payload.ts';

const serialize = (value: EchoPayload): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): EchoPayload => JSON.parse(bytes.toString('utf8')) as EchoPayload;

/**
 * `Bench.Echo` as a grpc-js unary method, with JSON as its message encoding: no .proto file,
 * and the same payload bytes as the JSON codec.
 */
export const GRPC_ECHO_SERVICE = {
  Echo: {
    path: '/Bench/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  },
} satisfies ServiceDefinition;
