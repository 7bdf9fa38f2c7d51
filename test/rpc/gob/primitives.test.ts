import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GobReader, GobWriter, putUint, uintByteLength } from '../../../src/rpc/gob/primitives.ts';
import { OutputBuffer } from '../../../src/rpc/output-buffer.ts';

function written(write: (w: GobWriter) => void): string {
  const w = new GobWriter(new OutputBuffer());
  write(w);
  return w.view(0, w.length).toString('hex');
}

function reader(hex: string): GobReader {
  const r = new GobReader();
  const bytes = Buffer.from(hex, 'hex');
  r.reset(bytes, 0, bytes.length);
  return r;
}

test("unsigned integers as doc.go's examples show them: 0, 7, 256", () => {
  assert.equal(
    written((w) => w.writeUint(0)),
    '00',
  );
  assert.equal(
    written((w) => w.writeUint(7)),
    '07',
  );
  assert.equal(
    written((w) => w.writeUint(256)),
    'fe0100',
  );
  assert.equal(
    written((w) => w.writeUint(127)),
    '7f',
  );
  assert.equal(
    written((w) => w.writeUint(128)),
    'ff80',
  );
});

test("signed integers as doc.go's examples show them: -129, 3", () => {
  assert.equal(
    written((w) => w.writeInt(-129)),
    'fe0101',
  );
  assert.equal(
    written((w) => w.writeInt(3)),
    '06',
  );
  assert.equal(
    written((w) => w.writeInt(-1)),
    '01',
  );
});

test("floats as doc.go's example shows them: 17.0 is fe 31 40", () => {
  assert.equal(
    written((w) => w.writeFloat(17)),
    'fe3140',
  );
  assert.equal(
    written((w) => w.writeFloat(0)),
    '00',
  );
  assert.equal(
    written((w) => w.writeFloat(-0)),
    'ff80',
  );
});

test('unsigned integers read back, numbers while safe and bigints beyond', () => {
  const numbers = [0, 1, 127, 128, 255, 256, 65535, 2 ** 32 - 1, 2 ** 32, 2 ** 48, Number.MAX_SAFE_INTEGER];
  for (const value of numbers) {
    const hex = written((w) => w.writeUint(value));
    assert.equal(reader(hex).readUint(), value, hex);
    assert.equal(
      written((w) => w.writeBigUint(BigInt(value))),
      hex,
    );
    assert.equal(uintByteLength(value), hex.length / 2);
    const put = Buffer.alloc(9);
    assert.equal(put.subarray(0, putUint(put, 0, value)).toString('hex'), hex);
  }
  for (const value of [2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]) {
    assert.equal(reader(written((w) => w.writeBigUint(value))).readUint(), value);
  }
});

test('signed integers read back at the edges of safe integers and int64', () => {
  for (const value of [0, -1, 1, -(2 ** 52), 2 ** 52, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]) {
    const hex = written((w) => w.writeInt(value));
    assert.equal(reader(hex).readInt(), value, hex);
    assert.equal(
      written((w) => w.writeBigInt(BigInt(value))),
      hex,
    );
  }
  for (const value of [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n, -(2n ** 53n)]) {
    assert.equal(reader(written((w) => w.writeBigInt(value))).readInt(), value);
  }
});

test('floats read back bit for bit', () => {
  for (const value of [
    0,
    -0,
    1,
    -1.5,
    0.1,
    Math.PI,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    Infinity,
    -Infinity,
    Number.NaN,
  ]) {
    assert.ok(Object.is(reader(written((w) => w.writeFloat(value))).readFloat(), value), String(value));
  }
});

test('strings and bytes: a count then the bytes, long ones too', () => {
  assert.equal(
    written((w) => w.writeString('hello')),
    '0568656c6c6f',
  );
  for (const value of ['', 'é', '日本', 'x'.repeat(42), '日'.repeat(43), 'y'.repeat(1000)]) {
    assert.equal(reader(written((w) => w.writeString(value))).readString(), value);
  }
  assert.deepEqual(
    reader(written((w) => w.writeBytes(Buffer.from([1, 2])))).readBytes(),
    Buffer.from([1, 2]),
  );
});

test('reading past the message, or a byte count over 8, fails', () => {
  assert.throws(() => reader('').readUint(), /unexpected end/);
  assert.throws(() => reader('fe01').readUint(), /unexpected end/);
  assert.throws(() => reader('f7').readUint(), /byte count 9 exceeds 8/);
  assert.throws(() => reader('05616263').readString(), /exceeds the 3 bytes left/);
});

test('a message gets its byte count in front, moved right only when the count needs more than one byte', () => {
  for (const size of [0, 1, 127, 128, 255, 256, 40_000]) {
    const out = new OutputBuffer();
    out.append(Buffer.from('prefix'));
    const w = new GobWriter();
    w.target(out);
    const at = w.beginMessage();
    // Past 16 KiB the target grows mid-message: the bytes written so far must come along.
    for (let i = 0; i < size; i++) w.writeByte(i % 251);
    w.endMessage(at);
    w.commit();
    const bytes = out.take();
    const count = written((c) => c.writeUint(size));
    assert.equal(bytes.subarray(0, 6).toString(), 'prefix');
    assert.equal(bytes.subarray(6, 6 + count.length / 2).toString('hex'), count, `count of ${size}`);
    const body = bytes.subarray(6 + count.length / 2);
    assert.equal(body.length, size);
    assert.ok(body.every((byte, i) => byte === i % 251));
  }
});

test('strings read again and again come back right, whichever came before them', () => {
  const strings = [
    'abc',
    'abd',
    'abc',
    '',
    'héllo',
    'hello',
    'x'.repeat(32),
    'y'.repeat(32),
    'z'.repeat(33),
    'abc',
  ];
  const sequence = [...strings, ...[...strings].reverse()];
  const w = new GobWriter(new OutputBuffer());
  for (const text of sequence) w.writeString(text);
  const r = new GobReader();
  r.reset(w.view(0, w.length), 0, w.length);
  const read: string[] = [];
  while (r.remaining > 0) read.push(r.readString());
  assert.deepEqual(read, sequence);
});
