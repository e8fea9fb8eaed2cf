// engine/timeseries/codecs/dictionary: symbol chunks (Int32Array ids, -1 = NULL, plus their dictionary), with the ids
// bit-packed or run-length encoded, whichever is smaller for the chunk. Knows nothing of files or tag semantics.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/dictionary.test.ts:
//   [u8 mode][varuint dictionary size][dictionary: varuint UTF-8 length + bytes each][varuint count] then
//   mode 0: id + 1 per value, MSB-first in ceil(log2(size + 1)) bits; mode 1: [varuint runs][varuint id + 1, length]…
import { assert } from '../../../src/common/assert.js'
import { BitReader } from './bit-reader.js'
import { BitWriter } from './bit-writer.js'
import { ByteReader } from './byte-reader.js'
import { ByteWriter, varUintBytes } from './byte-writer.js'
import { CHUNK_DICTIONARY_MAX_COUNT, CHUNK_VALUES_MAX_COUNT } from '../../../src/common/limits.js'

/** Payload modes. Append-only: written to disk, pinned by dictionary.test.ts. */
export const DICTIONARY_MODES = { bitPacked: 0, runLength: 1 } as const

/** A decoded symbol chunk: ids index into dict; -1 is NULL. */
export interface DictionaryColumn {
  readonly ids: Int32Array
  readonly dict: string[]
}

// A lone surrogate cannot be written as UTF-8 (TextEncoder would store U+FFFD): strings reaching a codec come from
// UTF-8 (pg wire, ILP), so one here is a bug upstream, not input.
const LONE_SURROGATE = /\p{Cs}/u

/** Asserts that `text` survives UTF-8 unchanged. */
export function assertWellFormed(text: string): void {
  assert(!LONE_SURROGATE.test(text), 'codec strings are well-formed UTF-16 (no lone surrogates)')
}

/** Bits per packed id: ids + 1 range over [0, size], so ceil(log2(size + 1)) bits. */
export function idBits(dictionarySize: number): number {
  return 32 - Math.clz32(dictionarySize)
}

/** Appends the encoding of `ids` over `dict` to `out`. The dictionary is stored as given (ids are not remapped). */
export function writeDictionary(out: ByteWriter, ids: Int32Array, dict: ReadonlyArray<string>): void {
  assert(dict.length <= CHUNK_DICTIONARY_MAX_COUNT, `dictionary of ${dict.length} symbols`)
  const runLengthBytes = measureRunLength(ids, dict.length)
  const width = idBits(dict.length)
  const bitPackedBytes = Math.ceil((ids.length * width) / 8)
  const mode = runLengthBytes < bitPackedBytes ? DICTIONARY_MODES.runLength : DICTIONARY_MODES.bitPacked
  out.writeU8(mode)
  out.writeVarUint(dict.length)
  for (const symbol of dict) {
    assertWellFormed(symbol)
    out.writeString(symbol)
  }
  out.writeVarUint(ids.length)
  if (mode === DICTIONARY_MODES.runLength) writeRuns(out, ids)
  else writeBitPacked(out, ids, width)
}

/** Bytes the run-length body would take; also asserts every id lies in [-1, dictionarySize). */
function measureRunLength(ids: Int32Array, dictionarySize: number): number {
  let runs = 0
  let bytes = 0
  let i = 0
  while (i < ids.length) {
    const id = ids[i]!
    assert(id >= -1 && id < dictionarySize, `symbol id ${id} outside a dictionary of ${dictionarySize}`)
    let end = i + 1
    while (end < ids.length && ids[end] === id) end++
    runs++
    bytes += varUintBytes(id + 1) + varUintBytes(end - i)
    i = end
  }
  return bytes + varUintBytes(runs)
}

function writeRuns(out: ByteWriter, ids: Int32Array): void {
  let runs = 0
  for (let i = 0; i < ids.length; i++) if (i === 0 || ids[i] !== ids[i - 1]) runs++
  out.writeVarUint(runs)
  let i = 0
  while (i < ids.length) {
    const id = ids[i]!
    let end = i + 1
    while (end < ids.length && ids[end] === id) end++
    out.writeVarUint(id + 1)
    out.writeVarUint(end - i)
    i = end
  }
}

function writeBitPacked(out: ByteWriter, ids: Int32Array, width: number): void {
  if (width === 0) return
  const bits = new BitWriter(out)
  for (let i = 0; i < ids.length; i++) bits.writeBits(ids[i]! + 1, width)
  bits.flush()
}

/** Encodes into a new array the caller owns; `scratch` is reused (and reset) when given. */
export function encodeDictionary(ids: Int32Array, dict: ReadonlyArray<string>, scratch = new ByteWriter()): Uint8Array {
  scratch.reset()
  writeDictionary(scratch, ids, dict)
  return scratch.toBytes()
}

/** Reads one encoding written by writeDictionary from `input`'s cursor. */
export function readDictionary(input: ByteReader): DictionaryColumn {
  const mode = input.bytes[input.pos]
  const dict = readDictionaryEntries(input)
  const size = dict.length
  const count = input.readVarUintAtMost(CHUNK_VALUES_MAX_COUNT, 'value count')
  const ids = mode === DICTIONARY_MODES.runLength ? readRuns(input, count, size) : readBitPacked(input, count, size)
  return { ids, dict }
}

/** Reads the mode and the dictionary only (scans prune row groups by it before decoding the ids). */
export function readDictionaryEntries(input: ByteReader): string[] {
  const modeAt = input.pos
  const mode = input.readU8()
  if (mode !== DICTIONARY_MODES.bitPacked && mode !== DICTIONARY_MODES.runLength) {
    input.failAt(modeAt, `unknown dictionary mode ${mode}`)
  }
  // Each stored symbol takes at least its one-byte length: bounds the allocation below.
  const size = input.readVarUintAtMost(Math.min(CHUNK_DICTIONARY_MAX_COUNT, input.remaining), 'dictionary size')
  const dict = new Array<string>(size)
  for (let i = 0; i < size; i++) dict[i] = input.readString()
  return dict
}

function readRuns(input: ByteReader, count: number, size: number): Int32Array {
  const runs = input.readVarUintAtMost(count, 'run count')
  const ids = new Int32Array(count)
  let filled = 0
  for (let r = 0; r < runs; r++) {
    const id = input.readVarUintAtMost(size, 'symbol id + 1') - 1
    const length = input.readVarUintAtMost(count - filled, 'run length')
    if (length === 0) input.fail('empty run')
    ids.fill(id, filled, filled + length)
    filled += length
  }
  if (filled !== count) input.fail(`runs cover ${filled} of ${count} values`)
  return ids
}

function readBitPacked(input: ByteReader, count: number, size: number): Int32Array {
  const width = idBits(size)
  // With width 0 (an empty dictionary) every value is NULL and nothing follows.
  if (width === 0) return new Int32Array(count).fill(-1)
  if (Math.ceil((count * width) / 8) > input.remaining) input.fail(`count ${count} beyond the bytes left`)
  const ids = new Int32Array(count)
  const bits = new BitReader(input)
  for (let i = 0; i < count; i++) {
    const stored = bits.readBits(width)
    if (stored > size) bits.fail(`symbol id ${stored - 1} outside a dictionary of ${size}`)
    ids[i] = stored - 1
  }
  bits.finish()
  return ids
}

/** Decodes bytes produced by encodeDictionary; throws ChunkCorruptError on anything else (including trailing bytes). */
export function decodeDictionary(bytes: Uint8Array): DictionaryColumn {
  const input = new ByteReader(bytes)
  const column = readDictionary(input)
  input.expectEnd()
  return column
}
