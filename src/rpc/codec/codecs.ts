import type { Codec, CodecName } from './codec.ts';
import { jsonCodec } from './json-codec.ts';
import { msgpackCodec } from './msgpack-codec.ts';

const CODECS: Record<CodecName, Codec> = {
  'application/json': jsonCodec,
  'application/msgpack': msgpackCodec,
};

export function getCodec(name: CodecName): Codec {
  return CODECS[name];
}
