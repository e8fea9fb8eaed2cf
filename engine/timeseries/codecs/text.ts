// engine/timeseries/codecs/text: text chunks ((string | null)[]), as a dictionary when few values are distinct,
// else as length-prefixed UTF-8 with a null bitmap. Knows nothing of files or SQL types.
// ON-DISK FORMAT, append-only; pinned by test/unit/engine/codecs/text.test.ts:
//   [u8 mode] then mode 0 (plain): [varuint count][null bitmap (bitmap.ts)][varuint UTF-8 length + bytes per non-null]
//   mode 1 (dictionary): a dictionary.ts payload (NULL = id -1)
import { countOnes, readBitmap, writeBitmap } from './bitmap.js'
import { ByteReader } from './byte-reader.js'
import { ByteWriter, varUintBytes } from './byte-writer.js'
import { CHUNK_VALUES_MAX_COUNT } from '../../../src/common/limits.js'
import { assertWellFormed, idBits, readDictionary, writeDictionary } from './dictionary.js'

/** Payload modes. Append-only: written to disk, pinned by text.test.ts. */
export const TEXT_MODES = { plain: 0, dictionary: 1 } as const

// Dictionary building stops once more than this share of the values (1 / n) is distinct: it cannot pay off then,
// and the map would only cost memory.
const DISTINCT_RATIO_MAX = 2

/** Appends the encoding of `values` to `out`, choosing the smaller of plain and dictionary by UTF-16 length. */
export function writeText(out: ByteWriter, values: ReadonlyArray<string | null>): void {
  const dictionary = tryBuildDictionary(values)
  if (dictionary !== undefined) {
    out.writeU8(TEXT_MODES.dictionary)
    writeDictionary(out, dictionary.ids, dictionary.dict)
    return
  }
  out.writeU8(TEXT_MODES.plain)
  out.writeVarUint(values.length)
  const nulls = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) if (values[i] === null) nulls[i] = 1
  writeBitmap(out, nulls)
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    if (value === null) continue
    assertWellFormed(value)
    out.writeString(value)
  }
}

/** The dictionary form of `values` when its estimated size beats plain, else undefined. */
function tryBuildDictionary(values: ReadonlyArray<string | null>): { ids: Int32Array; dict: string[] } | undefined {
  const distinctMax = Math.floor(values.length / DISTINCT_RATIO_MAX)
  const lookup = new Map<string, number>()
  const dict: string[] = []
  const ids = new Int32Array(values.length)
  // Sizes in UTF-16 units stand in for UTF-8 bytes: both modes store the same strings, so the bias cancels.
  let plainBytes = Math.ceil(values.length / 8)
  let dictBytes = 0
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    if (value === null) {
      ids[i] = -1
      continue
    }
    plainBytes += value.length + varUintBytes(value.length)
    let id = lookup.get(value)
    if (id === undefined) {
      if (dict.length >= distinctMax) return undefined
      id = dict.length
      lookup.set(value, id)
      dict.push(value)
      dictBytes += value.length + varUintBytes(value.length)
    }
    ids[i] = id
  }
  dictBytes += Math.ceil((values.length * idBits(dict.length)) / 8)
  return dictBytes < plainBytes ? { ids, dict } : undefined
}

/** Encodes into a new array the caller owns; `scratch` is reused (and reset) when given. */
export function encodeText(values: ReadonlyArray<string | null>, scratch = new ByteWriter()): Uint8Array {
  scratch.reset()
  writeText(scratch, values)
  return scratch.toBytes()
}

/** Reads one encoding written by writeText from `input`'s cursor. */
export function readText(input: ByteReader): (string | null)[] {
  const modeAt = input.pos
  const mode = input.readU8()
  switch (mode) {
    case TEXT_MODES.plain: return readPlain(input)
    case TEXT_MODES.dictionary: {
      const { ids, dict } = readDictionary(input)
      const values = new Array<string | null>(ids.length)
      for (let i = 0; i < ids.length; i++) values[i] = ids[i] === -1 ? null : dict[ids[i]!]!
      return values
    }
    default: return input.failAt(modeAt, `unknown text mode ${mode}`)
  }
}

function readPlain(input: ByteReader): (string | null)[] {
  const count = input.readVarUintAtMost(CHUNK_VALUES_MAX_COUNT, 'value count')
  const nulls = readBitmap(input, count)
  // Every non-null value takes at least its one-byte length: bounds the allocation below.
  if (count - countOnes(nulls) > input.remaining) input.fail(`count ${count} beyond the bytes left`)
  const values = new Array<string | null>(count)
  for (let i = 0; i < count; i++) values[i] = nulls[i] === 1 ? null : input.readString()
  return values
}

/** Decodes bytes produced by encodeText; throws ChunkCorruptError on anything else (including trailing bytes). */
export function decodeText(bytes: Uint8Array): (string | null)[] {
  const input = new ByteReader(bytes)
  const values = readText(input)
  input.expectEnd()
  return values
}
