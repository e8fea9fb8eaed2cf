// engine/timeseries/memtable-block: a live memtable's older rows packed into one immutable block (issue 10: RSS after
// ingest): every column in one ArrayBuffer (memtable-pack.ts), ~11 bytes per TSBS row against the appendable
// arrays' 88. Scans decode a block into a read-only memtable, as they decode a segment row group. Knows nothing of
// files, WAL, rings or SQL.
import { assert } from '../../src/common/assert.js'
import type { ColumnKind, ColumnVector } from '../batch.js'
import type { TableSchema } from '../ops.js'
import type { DecodedChunkCache } from './chunk-cache.js'
import { Memtable, type MemColumn } from './memtable.js'
import { zeroIds } from './memtable-zeros.js'
import { noteCached } from './segment-decode.js'
import { cachedTimeRuns } from './sorted-spans.js'
import {
  NUMBERS_HEADER_BYTES, PACK_MODES, PackWriter, PLAIN_HEADER_BYTES, planNumbers, readNumbers, writeNumbers,
} from './memtable-pack.js'

/** Dictionaries of symbol columns and values of text columns: shared with the sealed memtable, never written again. */
type BlockRef = ReadonlyArray<string> | ReadonlyArray<string | null> | undefined

export interface MemtableBlock {
  readonly rowCount: number
  /** The table's columns when it was sealed; columns added later (AddColumnsOp) read NULL. */
  readonly columnCount: number
  /** Bounds of its timestamps for pruning; ±Infinity when some row's cannot be compared (NULL or NaN). */
  readonly minUs: number
  readonly maxUs: number
  /** [u32 header offset per column] then each column (memtable-pack.ts), every part 8-aligned. */
  readonly bytes: Uint8Array
  readonly refs: ReadonlyArray<BlockRef>
  /** Its key in a core's DecodedChunkCache (never a segment file's name), and the columns decoded once uncached. */
  readonly cacheKey: string
  decodedOnce?: Uint8Array
}

/** Per-thread serial of the blocks sealed, for their cache keys. */
let blockSerial = 0

/** Bytes a block costs the memtable budget: its buffer, and a rough share for its objects. */
export function blockBytes(block: MemtableBlock): number {
  return block.bytes.byteLength + 64 + 8 * block.refs.length
}

/** Per-thread writer (the cores pack one block at a time). */
const writer = new PackWriter()

/** A null map of the first `count` rows when one of them is NULL, else null. */
function nullsOf(column: { nulls: Uint8Array; isNullsShared?: boolean }, count: number): Uint8Array | null {
  if (column.isNullsShared === true) return null
  const nulls = column.nulls.subarray(0, count)
  return nulls.indexOf(1) >= 0 ? nulls : null
}

function packColumn(column: MemColumn, count: number): void {
  switch (column.kind) {
    case 'timestamp': case 'f64': {
      const nulls = nullsOf(column, count)
      const plan = planNumbers(column.values, nulls, count)
      writer.numbersHeader(plan, nulls !== null)
      if (nulls !== null) writer.array(nulls, count)
      writeNumbers(writer, plan, column.values, count)
      return
    }
    case 'i64': case 'bool': {
      const nulls = nullsOf(column, count)
      writer.header(column.kind === 'i64' ? PACK_MODES.rawI64 : PACK_MODES.rawBytes, nulls !== null)
      if (nulls !== null) writer.array(nulls, count)
      writer.array(column.values, column.values.BYTES_PER_ELEMENT * count)
      return
    }
    case 'symbol': return packIds(column, count)
    case 'text': writer.header(PACK_MODES.text, false); return
    default: return assert(false, 'unknown column kind')
  }
}

function packIds(column: Extract<MemColumn, { kind: 'symbol' }>, count: number): void {
  if (column.isIdsShared === true) { writer.header(PACK_MODES.idsZero, false); return }
  const ids = column.ids.subarray(0, count)
  let max = 0
  for (let i = 0; i < count; i++) if (ids[i]! > max) max = ids[i]!
  if (max > 0x7fff) {
    writer.header(PACK_MODES.ids32, false)
    writer.array(ids)
  } else {
    writer.header(max > 0x7f ? PACK_MODES.ids16 : PACK_MODES.ids8, false)
    const narrow = max > 0x7f ? Int16Array.from(ids) : Int8Array.from(ids)
    writer.array(narrow)
  }
}

/** Time bounds of the first `count` rows of the designated timestamp (see MemtableBlock). */
function timeBounds(column: MemColumn | undefined, count: number): { minUs: number; maxUs: number } {
  const unbounded = { minUs: Number.NEGATIVE_INFINITY, maxUs: Number.POSITIVE_INFINITY }
  if (column?.kind !== 'timestamp' || nullsOf(column, count) !== null) return unbounded
  let minUs = Number.POSITIVE_INFINITY
  let maxUs = Number.NEGATIVE_INFINITY
  for (let i = 0; i < count; i++) {
    const t = column.values[i]!
    if (Number.isNaN(t)) return unbounded
    if (t < minUs) minUs = t
    if (t > maxUs) maxUs = t
  }
  return { minUs, maxUs }
}

function sameEntries(a: BlockRef, b: BlockRef): boolean {
  if (a === b) return true
  if (a === undefined || b === undefined || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Packs every row of `memtable` (which the caller retires: nothing may append to it afterwards, its dictionaries and
 * strings are kept by reference). `previous`, the block sealed before it from the same memtable line, lends its
 * equal dictionaries, so a series' tags are held once, not once per block.
 */
export function sealBlock(memtable: Memtable, previous?: MemtableBlock): MemtableBlock {
  const count = memtable.rowCount
  const columns = memtable.columns
  writer.reset()
  writer.reserve(4 * columns.length)
  const offsets: number[] = []
  const refs: BlockRef[] = []
  let isSameRefs = previous !== undefined && previous.refs.length === columns.length
  columns.forEach((column, c) => {
    offsets.push((writer.length + 7) & ~7)
    packColumn(column, count)
    let ref: BlockRef = column.kind === 'symbol' ? column.dict : column.kind === 'text' ? column.values : undefined
    if (column.kind === 'symbol' && sameEntries(previous?.refs[c], ref)) ref = previous!.refs[c]
    else isSameRefs = false
    refs.push(ref)
  })
  const bytes = writer.take()
  new Uint32Array(bytes.buffer, 0, columns.length).set(offsets)
  const { minUs, maxUs } = timeBounds(columns[memtable.schema.timestampIndex], count)
  return {
    rowCount: count, columnCount: columns.length, minUs, maxUs, bytes, refs: isSameRefs ? previous!.refs : refs,
    cacheKey: `\0memtable-block ${++blockSerial}`,
  }
}

/** The block's column `c` as a vector (views of the block's bytes where no decoding is needed; never written). */
function decodeColumn(block: MemtableBlock, c: number, kind: ColumnKind): ColumnVector {
  const { bytes, rowCount: count } = block
  const at = new Uint32Array(bytes.buffer, 0, block.columnCount)[c]!
  const mode = bytes[at]!
  const hasNulls = bytes[at + 3] === 1
  const headerBytes = mode === PACK_MODES.rawF64 || mode === PACK_MODES.decimal ? NUMBERS_HEADER_BYTES : PLAIN_HEADER_BYTES
  const nulls = hasNulls ? bytes.subarray(at + headerBytes, at + headerBytes + count) : undefined
  const bodyAt = hasNulls ? (at + headerBytes + count + 7) & ~7 : at + headerBytes
  const ref = block.refs[c]
  switch (mode) {
    case PACK_MODES.rawF64: case PACK_MODES.decimal: {
      const values = readNumbers(bytes, at, count, bodyAt)
      return kind === 'timestamp' ? { kind, values, nulls } : { kind: 'f64', values, nulls }
    }
    case PACK_MODES.rawI64: return { kind: 'i64', values: new BigInt64Array(bytes.buffer, bodyAt, count), nulls }
    case PACK_MODES.rawBytes: return { kind: 'bool', values: bytes.subarray(bodyAt, bodyAt + count), nulls }
    case PACK_MODES.idsZero: return { kind: 'symbol', ids: zeroIds(count), dict: ref as ReadonlyArray<string> }
    case PACK_MODES.ids8: return { kind: 'symbol', ids: Int32Array.from(new Int8Array(bytes.buffer, bodyAt, count)), dict: ref as ReadonlyArray<string> }
    case PACK_MODES.ids16: return { kind: 'symbol', ids: Int32Array.from(new Int16Array(bytes.buffer, bodyAt, count)), dict: ref as ReadonlyArray<string> }
    case PACK_MODES.ids32: return { kind: 'symbol', ids: new Int32Array(bytes.buffer, bodyAt, count), dict: ref as ReadonlyArray<string> }
    case PACK_MODES.text: return { kind: 'text', values: ref as ReadonlyArray<string | null> }
    default: return assert(false, `unknown pack mode ${mode}`) as never
  }
}

/** The block's columns as vectors, in order (the columns it predates are left out: they are the table's last). */
export function decodeBlockVectors(schema: TableSchema, block: MemtableBlock): ColumnVector[] {
  const vectors: ColumnVector[] = []
  for (let c = 0; c < block.columnCount; c++) vectors.push(decodeColumn(block, c, schema.columns[c]!.kind))
  return vectors
}

/**
 * The block as a read-only memtable of `schema` (which may have gained columns since: they read NULL). With
 * `columns`, only those are decoded; the others are empty, as a scan's unread columns of a segment row group are.
 */
export function decodeBlock(schema: TableSchema, block: MemtableBlock, columns?: ReadonlyArray<number>,
  cache?: DecodedChunkCache): Memtable {
  const vectors = new Array<ColumnVector | undefined>(schema.columns.length)
  for (const c of columns ?? schema.columns.map((_, c) => c)) {
    if (c < block.columnCount) vectors[c] = decodeCached(block, c, schema.columns[c]!.kind, cache)
  }
  const nullColumns = new Set<number>()
  for (let c = block.columnCount; c < schema.columns.length; c++) nullColumns.add(c)
  const ts = vectors[schema.timestampIndex]
  const timeRuns = ts?.kind === 'timestamp' && cache?.has(block.cacheKey, schema.timestampIndex, block.bytes.byteLength) === true
    ? cachedTimeRuns(ts.values) : undefined
  return Memtable.fromVectors(schema, block.rowCount, vectors, nullColumns, timeRuns)
}

/**
 * Column `c` decoded, through the core's cache from its second decode on: a column a scan reads again (a dashboard)
 * is decoded once, while one read once (the row count a loader polls for) does not fill the cache.
 */
function decodeCached(block: MemtableBlock, c: number, kind: ColumnKind, cache: DecodedChunkCache | undefined): ColumnVector {
  const decode = (): ColumnVector => decodeColumn(block, c, kind)
  if (cache === undefined) return decode()
  const length = block.bytes.byteLength
  if (!cache.has(block.cacheKey, c, length)) {
    const once = block.decodedOnce ??= new Uint8Array(block.columnCount)
    if (once[c] === 0) {
      once[c] = 1
      return decode()
    }
  }
  const vector = cache.get(block.cacheKey, c, length, block.rowCount, decode)
  noteCached(vector)
  return vector
}

/** True when no row of the block can be in [fromUs, toUs). */
export function isBlockOutside(block: MemtableBlock, range: { readonly fromUs: number; readonly toUs: number }): boolean {
  return block.maxUs < range.fromUs || block.minUs >= range.toUs
}
