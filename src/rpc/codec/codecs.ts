import type { Codec, CodecName } from './codec.ts';
import { gobCodec } from './gob-codec.ts';
import { jsonCodec } from './json-codec.ts';
import { msgpackCodec } from './msgpack-codec.ts';

const CODECS: Record<CodecName, Codec> = {
  'application/json': jsonCodec,
  'application/msgpack': msgpackCodec,
  'application/gob': gobCodec,
};

export function getCodec(name: CodecName): Codec {
  return CODECS[name];
}
