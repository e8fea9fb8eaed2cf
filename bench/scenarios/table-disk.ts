// bench/scenarios/table-disk: the bytes one nodedb table holds on disk — its segments (manifest.json) plus its WAL
// records (record headers included) — so a figure per row counts that table's rows only, as PostgreSQL's
// pg_total_relation_size does, and not every table the bench's scenarios loaded into the same data directory.
import fs from 'node:fs'
import path from 'node:path'
import { decodeWalRecord, parseWalSegmentName } from '../../engine/wal/record.js'

export interface TableDisk {
  readonly tableId: number
  readonly segmentBytes: number
  readonly segmentRows: number
  readonly walBytes: number
}

async function tableIdOf(dataDir: string, name: string): Promise<number | undefined> {
  const catalog = JSON.parse(await fs.promises.readFile(path.join(dataDir, 'catalog.json'), 'utf8')) as { tables: Array<{ id: number; name: string }> }
  return catalog.tables.find((table) => table.name === name)?.id
}

/** The WAL bytes of `tableId`'s records; a record still being written (a live server) ends the segment's walk. */
async function walBytesOf(walDir: string, tableId: number): Promise<number> {
  let bytes = 0
  for (const name of (await fs.promises.readdir(walDir)).filter((file) => parseWalSegmentName(file) !== undefined).sort()) {
    const segment = await fs.promises.readFile(path.join(walDir, name))
    for (let offset = 0; offset < segment.length;) {
      const outcome = decodeWalRecord(segment, offset)
      if (outcome.kind === 'bad') break
      if (outcome.record.tableId === tableId) bytes += outcome.nextOffset - offset
      offset = outcome.nextOffset
    }
  }
  return bytes
}

/** Table `name`'s bytes in nodedb's `dataDir`, or undefined when the catalog has no such table. */
export async function nodedbTableDisk(dataDir: string, name: string): Promise<TableDisk | undefined> {
  const tableId = await tableIdOf(dataDir, name)
  if (tableId === undefined) return undefined
  const manifestPath = path.join(dataDir, 'manifest.json')
  const text = await fs.promises.readFile(manifestPath, 'utf8').catch(() => null) // none before the first flush
  const manifest = text === null ? { segments: [] } : JSON.parse(text) as { segments: Array<{ tableId: number; rowCount: number; sizeBytes: number }> }
  const segments = manifest.segments.filter((segment) => segment.tableId === tableId)
  return {
    tableId,
    segmentBytes: segments.reduce((sum, segment) => sum + segment.sizeBytes, 0),
    segmentRows: segments.reduce((sum, segment) => sum + segment.rowCount, 0),
    walBytes: await walBytesOf(path.join(dataDir, 'wal'), tableId),
  }
}
