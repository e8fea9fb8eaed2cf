// Goal: ByteWriter and ByteReader agree on every field, grow without losing bytes, and the reader turns every
// out-of-bounds or malformed read into ChunkCorruptError (stored bytes are input, never an assertion).
// Method: fast-check round trips of mixed field sequences; hand-built truncated and overlong inputs.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ByteReader } from '../../../../engine/timeseries/codecs/byte-reader.js'
import { ByteWriter, varUintBytes } from '../../../../engine/timeseries/codecs/byte-writer.js'
import { ChunkCorruptError } from '../../../../engine/timeseries/codecs/chunk-corrupt-error.js'

type Field =
  | { kind: 'u8'; value: number } | { kind: 'u32'; value: number } | { kind: 'f64'; value: number }
  | { kind: 'var'; value: number } | { kind: 'str'; value: string } | { kind: 'i64'; value: bigint }

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((value) => ({ kind: 'u8' as const, value })),
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ kind: 'u32' as const, value })),
  fc.double().map((value) => ({ kind: 'f64' as const, value })),
  fc.oneof(fc.nat(), fc.maxSafeNat()).map((value) => ({ kind: 'var' as const, value })),
  fc.string({ unit: 'binary', maxLength: 300 }).map((value) => ({ kind: 'str' as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: 'i64' as const, value })),
)

function write(out: ByteWriter, f: Field): void {
  switch (f.kind) {
    case 'u8': return out.writeU8(f.value)
    case 'u32': return out.writeU32(f.value)
    case 'f64': return out.writeF64(f.value)
    case 'var': return out.writeVarUint(f.value)
    case 'str': return out.writeString(f.value)
    case 'i64': return out.writeI64(f.value)
  }
}

function read(input: ByteReader, f: Field): unknown {
  switch (f.kind) {
    case 'u8': return input.readU8()
    case 'u32': return input.readU32()
    case 'f64': return input.readF64()
    case 'var': return input.readVarUint()
    case 'str': return input.readString()
    case 'i64': return input.readI64()
  }
}

describe('engine/timeseries/codecs byte writer and reader', () => {
  it('round-trips any sequence of fields, growing from a tiny buffer', () => {
    fc.assert(fc.property(fc.array(field, { maxLength: 60 }), (fields) => {
      const out = new ByteWriter(1)
      for (const f of fields) write(out, f)
      const input = new ByteReader(out.toBytes())
      for (const f of fields) assert.deepEqual(read(input, f), f.value)
      input.expectEnd()
    }))
  })

  it('writeVarUint takes varUintBytes(value) bytes', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (value) => {
      const out = new ByteWriter()
      out.writeVarUint(value)
      assert.equal(out.length, varUintBytes(value))
    }))
    for (const [value, bytes] of [[0, 1], [127, 1], [128, 2], [16383, 2], [16384, 3], [2 ** 53 - 1, 8]]) {
      assert.equal(varUintBytes(value!), bytes)
    }
  })

  it('reset keeps the grown buffer and forgets the contents', () => {
    const out = new ByteWriter(4)
    for (let i = 0; i < 100; i++) out.writeU8(i)
    const capacity = out.bytes.length
    out.reset()
    out.writeU8(7)
    assert.equal(out.bytes.length, capacity)
    assert.deepEqual([...out.view()], [7])
  })

  it('every read past the end throws ChunkCorruptError with the offset', () => {
    const bytes = new Uint8Array([1, 2, 3])
    const reads: Array<(input: ByteReader) => unknown> = [
      (i) => i.readU32(), (i) => i.readF64(), (i) => i.readI64(), (i) => i.readBytes(4),
      (i) => { i.readU8(); i.readU8(); i.readU8(); return i.readU8() },
    ]
    for (const readPastEnd of reads) {
      assert.throws(() => readPastEnd(new ByteReader(bytes)), (error: unknown) => error instanceof ChunkCorruptError)
    }
    // A range narrower than the buffer is the bound, not the buffer's end.
    assert.throws(() => new ByteReader(bytes, 1, 2).readBytes(2), (error: unknown) =>
      error instanceof ChunkCorruptError && error.offset === 1)
  })

  it('rejects unterminated and overlong varuints, oversized lengths and invalid UTF-8', () => {
    const corrupt = (bytes: number[], readIt: (input: ByteReader) => unknown): void => {
      assert.throws(() => readIt(new ByteReader(new Uint8Array(bytes))), ChunkCorruptError)
    }
    corrupt([0x80, 0x80], (i) => i.readVarUint())
    corrupt([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], (i) => i.readVarUint())
    corrupt([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], (i) => i.readVarUint())
    corrupt([5, 0x61], (i) => i.readString())
    corrupt([2, 0xc3, 0x28], (i) => i.readString())
    corrupt([200], (i) => i.readVarUintAtMost(100, 'x'))
  })
})
