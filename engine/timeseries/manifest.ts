// engine/timeseries/manifest: <dataDir>/manifest.json, the single source of which segments exist and of each
// (table, vShard)'s flushed LSN; replaced atomically (temp, fsync, rename, fsync dir). Knows nothing of cores or SQL.
// ON-DISK FORMAT v1, append-only; pinned by test/unit/engine/manifest.test.ts ("pins the v1 shape"):
//   { "version": 1, "nextSegmentId": n, "segments": [SegmentEntry...], "flushedLsns": [{ tableId, vShard, lsn }...],
//     "truncatedLsns": [{ tableId, lsn }...] }   ← optional, written only when non-empty (TRUNCATE; manifests written
//   before it existed simply lack it), pinned by the same test file ("pins truncatedLsns").
//     "deletedLsns": [{ tableId, lsn }...]     ← optional likewise (DELETE), pinned there too ("pins deletedLsns").
import path from 'node:path'
import { asTableId, type TableId } from '../../src/common/ids.js'
import { VSHARD_COUNT } from '../../src/common/limits.js'
import { EngineFailureError } from '../api.js'
import type { FileSystem } from '../io/file-system.js'

export const MANIFEST_FILE = 'manifest.json'
/** Version of manifest.json's shape. Append-only: bump and migrate, never reinterpret. Pinned by manifest.test.ts. */
export const MANIFEST_FORMAT_VERSION = 1

/** What a segment holds: the rows of one (table, vShard, partition), with their time range. */
export interface SegmentSpan {
  readonly tableId: TableId
  readonly vShard: number
  readonly partitionStartUs: number
  readonly rowCount: number
  readonly minUs: number
  readonly maxUs: number
}

/** One immutable segment file, <dataDir>/segments/<file>. */
export interface SegmentEntry extends SegmentSpan {
  readonly id: number
  readonly file: string
  readonly sizeBytes: number
}

export interface ManifestLsn { readonly tableId: TableId; readonly vShard: number; readonly lsn: number }

/** TRUNCATE: the WAL records of `tableId` with LSN ≤ lsn hold no live rows (and no segment holds any of them). */
export interface TruncatedLsn { readonly tableId: TableId; readonly lsn: number }

export interface ManifestData {
  readonly nextSegmentId: number
  readonly segments: ReadonlyArray<SegmentEntry>
  /** Every row of (tableId, vShard) with LSN ≤ lsn is in a listed segment; replay skips those (invariant 2). */
  readonly flushedLsns: ReadonlyArray<ManifestLsn>
  /** Absent or empty when no table was truncated. */
  readonly truncatedLsns?: ReadonlyArray<TruncatedLsn>
  /**
   * DELETE: the listed segments of `tableId` already lack the rows of every DeleteRecord with LSN ≤ lsn, so replay
   * applies such a record to memtables only. Absent or empty when no DELETE reached segments.
   */
  readonly deletedLsns?: ReadonlyArray<TruncatedLsn>
}

/** A DELETE's change to one table's segments, committed with its WAL record's LSN (SegmentStore.commitDelete). */
export interface SegmentDelete {
  readonly tableId: TableId
  readonly lsn: number
  readonly removed: ReadonlyArray<SegmentEntry>
  readonly added: ReadonlyArray<SegmentEntry>
}

export const EMPTY_MANIFEST: ManifestData = { nextSegmentId: 1, segments: [], flushedLsns: [] }

export function segmentFileName(id: number): string {
  return `${String(id).padStart(12, '0')}.seg`
}

function corrupt(file: string, detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'Corrupt', detail: `${file}: ${detail}` })
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value)

function parseEntry(value: unknown): SegmentEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const get = (key: string): unknown => Reflect.get(value, key)
  const [id, file, tableId, vShard, partitionStartUs, rowCount, minUs, maxUs, sizeBytes] =
    ['id', 'file', 'tableId', 'vShard', 'partitionStartUs', 'rowCount', 'minUs', 'maxUs', 'sizeBytes'].map(get)
  if (!isCount(id) || id < 1 || file !== segmentFileName(id) || !isCount(tableId) || tableId < 1) return undefined
  if (!isCount(vShard) || vShard >= VSHARD_COUNT || !isNumber(partitionStartUs) || !isCount(rowCount)) return undefined
  if (!isNumber(minUs) || !isNumber(maxUs) || !isCount(sizeBytes)) return undefined
  return { id, file, tableId: asTableId(tableId), vShard, partitionStartUs, rowCount, minUs, maxUs, sizeBytes }
}

function parseLsn(value: unknown): ManifestLsn | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const [tableId, vShard, lsn] = ['tableId', 'vShard', 'lsn'].map((key) => Reflect.get(value, key))
  if (!isCount(tableId) || tableId < 1 || !isCount(vShard) || vShard >= VSHARD_COUNT || !isCount(lsn)) return undefined
  return { tableId: asTableId(tableId), vShard, lsn }
}

function parseTruncated(value: unknown): TruncatedLsn | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const [tableId, lsn] = ['tableId', 'lsn'].map((key) => Reflect.get(value, key))
  if (!isCount(tableId) || tableId < 1 || !isCount(lsn)) return undefined
  return { tableId: asTableId(tableId), lsn }
}

/** The manifest on disk, or the empty one when there is none yet. Rejects with 'Corrupt' on anything malformed. */
export async function loadManifest(fs: FileSystem, dataDir: string): Promise<ManifestData> {
  const file = path.join(dataDir, MANIFEST_FILE)
  const bytes = await fs.readFile(file)
  if (bytes === undefined) return EMPTY_MANIFEST
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (error) {
    throw corrupt(file, `not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof value !== 'object' || value === null) throw corrupt(file, 'not an object')
  const [version, nextSegmentId, segments, flushedLsns] =
    ['version', 'nextSegmentId', 'segments', 'flushedLsns'].map((key) => Reflect.get(value, key))
  if (version !== MANIFEST_FORMAT_VERSION) throw corrupt(file, `unknown version ${String(version)}`)
  if (!isCount(nextSegmentId) || !Array.isArray(segments) || !Array.isArray(flushedLsns)) throw corrupt(file, 'bad shape')
  const entries = segments.map(parseEntry)
  const lsns = flushedLsns.map(parseLsn)
  const badEntry = entries.findIndex((entry) => entry === undefined || entry.id >= nextSegmentId)
  if (badEntry >= 0) throw corrupt(file, `bad segment entry ${JSON.stringify(segments[badEntry])}`)
  const badLsn = lsns.findIndex((entry) => entry === undefined)
  if (badLsn >= 0) throw corrupt(file, `bad flushed lsn ${JSON.stringify(flushedLsns[badLsn])}`)
  const truncated = tableLsns(file, value, 'truncatedLsns')
  const deleted = tableLsns(file, value, 'deletedLsns')
  return {
    nextSegmentId,
    segments: entries.filter((entry): entry is SegmentEntry => entry !== undefined),
    flushedLsns: lsns.filter((entry): entry is ManifestLsn => entry !== undefined),
    ...(truncated.length > 0 ? { truncatedLsns: truncated } : {}),
    ...(deleted.length > 0 ? { deletedLsns: deleted } : {}),
  }
}

/** An optional list of { tableId, lsn } (truncatedLsns, deletedLsns); [] when absent. */
function tableLsns(file: string, manifest: object, key: string): TruncatedLsn[] {
  const listed: unknown = Reflect.get(manifest, key) ?? []
  if (!Array.isArray(listed)) throw corrupt(file, 'bad shape')
  const parsed = listed.map(parseTruncated)
  const bad = parsed.findIndex((entry) => entry === undefined)
  if (bad >= 0) throw corrupt(file, `bad ${key} entry ${JSON.stringify(listed[bad])}`)
  return parsed.filter((entry): entry is TruncatedLsn => entry !== undefined)
}

/** Replaces the manifest atomically: after this resolves, a crash at any point leaves the new one in place. */
export async function saveManifest(fs: FileSystem, dataDir: string, data: ManifestData): Promise<void> {
  const file = path.join(dataDir, MANIFEST_FILE)
  const temp = `${file}.tmp`
  const { truncatedLsns, deletedLsns, ...rest } = data
  const text = JSON.stringify({
    version: MANIFEST_FORMAT_VERSION, ...rest, ...(truncatedLsns !== undefined && truncatedLsns.length > 0 ? { truncatedLsns } : {}),
    ...(deletedLsns !== undefined && deletedLsns.length > 0 ? { deletedLsns } : {}),
  })
  const handle = await fs.open(temp, 'create-truncate')
  try {
    await handle.write(Buffer.from(text, 'utf8'), 0)
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await fs.rename(temp, file)
  await fs.syncDir(dataDir)
}
