import type { Codec, CodecName } from './codec.ts';
import { jsonCodec } from './codec-json.ts';
import { msgpackCodec } from './codec-msgpack.ts';

const CODECS: Record<CodecName, Codec> = {
  'application/json': jsonCodec,
  'application/msgpack': msgpackCodec,
};

export function getCodec(name: CodecName): Codec {
  return CODECS[name];
}
