// engine/sync/wal-tail: reads the WAL as it grows, record by record, never past the durable LSN (issue 11's shipper
// ships only what an fsync covered). Returns each record's bytes exactly as written (length, CRC32C, LSN, kind, table,
// payload); a multi-record commit's parts are shipped as IngestRecords at its commit (tail-commits.ts). Also measures the WAL bytes the cloud has not acknowledged (the --sync-wal-bytes budget). Read-only.
import path from 'node:path'
import { log } from '../../src/common/log.js'
import type { FileSystem } from '../io/file-system.js'
import { decodeWalRecord, walSegmentName, WAL_RECORD_HEADER_BYTES } from '../wal/record.js'
import { listWalSegments } from '../wal/wal-reader.js'
import { TailCommits } from './tail-commits.js'

/** One WAL record as written: `bytes` is the whole record, CRC included. */
export interface TailedRecord {
  readonly lsn: number
  readonly tableId: number
  readonly bytes: Uint8Array
}

/** Bytes read per file read; a larger record is read whole by a second read. */
const TAIL_CHUNK_BYTES = 4 * 1024 * 1024

export class WalTail {
  private sequence = 0
  private offset = 0
  private skipToLsn = 0
  private readonly firstLsns = new Map<number, number>()
  private readonly commits = new TailCommits()

  constructor(private readonly fs: FileSystem, private readonly walDir: string) {}

  /** Starts over from the oldest segment, returning only records with an LSN above `afterLsn`. */
  seek(afterLsn: number): void {
    this.sequence = 0
    this.offset = 0
    this.skipToLsn = afterLsn
    this.commits.clear()
  }

  /** The next durable records (at least one if any, about `maxBytes` in all), in LSN order. */
  async read(durableLsn: number, maxBytes: number): Promise<TailedRecord[]> {
    const sequences = await listWalSegments(this.fs, this.walDir)
    if (sequences.length === 0) return []
    if (this.sequence === 0 || !sequences.includes(this.sequence)) {
      if (this.sequence !== 0) log.error({ segment: this.sequence }, 'sync: the wal segment being shipped was deleted; resuming at the oldest')
      this.sequence = sequences[0]!
      this.commits.clear()
      this.offset = 0
    }
    const out: TailedRecord[] = []
    let bytes = 0
    while (bytes < maxBytes) {
      const chunk = await this.readChunk(this.sequence, this.offset)
      const before = out.length
      const { consumed, stop } = this.decodeChunk(chunk, durableLsn, out)
      this.offset += consumed
      for (let i = before; i < out.length; i++) bytes += out[i]!.bytes.length
      if (stop) break
      if (consumed > 0) continue
      const next = sequences.find((s) => s > this.sequence)
      if (next === undefined || !(await this.hasDurableRecord(next, durableLsn))) break
      this.sequence = next
      this.offset = 0
    }
    return out
  }

  /** Decodes whole records from the chunk; stop = a record not yet durable (nothing after it may ship). */
  private decodeChunk(chunk: Uint8Array, durableLsn: number, out: TailedRecord[]): { consumed: number; stop: boolean } {
    let at = 0
    while (at < chunk.length) {
      const outcome = decodeWalRecord(chunk, at)
      if (outcome.kind === 'bad') return { consumed: at, stop: false }
      const { record } = outcome
      if (record.lsn > durableLsn) return { consumed: at, stop: true }
      if (record.kind === 'PartRecord' || record.kind === 'CommitRecord') {
        const parts = this.commits.take(record, this.skipToLsn)
        out.push(...parts)
        if (parts.length > 0) this.skipToLsn = parts[parts.length - 1]!.lsn
      } else if (record.lsn > this.skipToLsn) {
        out.push({ lsn: record.lsn, tableId: record.tableId, bytes: Uint8Array.from(chunk.subarray(at, outcome.nextOffset)) })
        this.skipToLsn = record.lsn
      }
      at = outcome.nextOffset
    }
    return { consumed: at, stop: false }
  }

  /** Up to TAIL_CHUNK_BYTES from `offset`, or the whole record there when it is larger. */
  private async readChunk(sequence: number, offset: number): Promise<Uint8Array> {
    const handle = await this.fs.open(path.join(this.walDir, walSegmentName(sequence)), 'read')
    try {
      const size = await handle.size()
      if (offset >= size) return new Uint8Array(0)
      let chunk = new Uint8Array(Math.min(size - offset, TAIL_CHUNK_BYTES))
      chunk = chunk.subarray(0, await handle.read(chunk, offset))
      if (chunk.length >= 4) {
        const recordBytes = 8 + new DataView(chunk.buffer, chunk.byteOffset, 4).getUint32(0, true)
        if (recordBytes > chunk.length && offset + recordBytes <= size) {
          chunk = new Uint8Array(recordBytes)
          chunk = chunk.subarray(0, await handle.read(chunk, offset))
        }
      }
      return chunk
    } finally {
      await handle.close()
    }
  }

  private async hasDurableRecord(sequence: number, durableLsn: number): Promise<boolean> {
    const first = await this.firstLsn(sequence)
    return first !== undefined && first <= durableLsn
  }

  /** The LSN of a segment's first record (cached: records are never rewritten), undefined while it has none. */
  private async firstLsn(sequence: number): Promise<number | undefined> {
    const cached = this.firstLsns.get(sequence)
    if (cached !== undefined) return cached
    let header: Uint8Array
    try {
      const handle = await this.fs.open(path.join(this.walDir, walSegmentName(sequence)), 'read')
      try {
        header = new Uint8Array(WAL_RECORD_HEADER_BYTES)
        header = header.subarray(0, await handle.read(header, 0))
      } finally {
        await handle.close()
      }
    } catch {
      return undefined
    }
    if (header.length < WAL_RECORD_HEADER_BYTES) return undefined
    const lsn = new DataView(header.buffer, header.byteOffset).getFloat64(8, true)
    this.firstLsns.set(sequence, lsn)
    return lsn
  }

  /**
   * WAL bytes on disk that may hold records above `ackedLsn` (the cloud's acknowledgement): whole segments, so at
   * most one segment's acknowledged part is over-counted. 0 once everything durable is acknowledged.
   */
  async unacknowledgedBytes(ackedLsn: number, durableLsn: number): Promise<number> {
    if (ackedLsn >= durableLsn) return 0
    const sequences = await listWalSegments(this.fs, this.walDir)
    let total = 0
    for (let i = 0; i < sequences.length; i++) {
      const next = sequences[i + 1]
      const nextFirst = next === undefined ? undefined : await this.firstLsn(next)
      const lastLsn = nextFirst === undefined ? durableLsn : nextFirst - 1
      if (lastLsn <= ackedLsn) continue
      const handle = await this.fs.open(path.join(this.walDir, walSegmentName(sequences[i]!)), 'read').catch(() => undefined)
      if (handle === undefined) continue
      try {
        total += await handle.size()
      } finally {
        await handle.close()
      }
    }
    for (const sequence of this.firstLsns.keys()) if (!sequences.includes(sequence)) this.firstLsns.delete(sequence)
    return total
  }
}
