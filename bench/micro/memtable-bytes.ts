// bench/micro/memtable-bytes: bytes a core's memtables really hold per TSBS row (issue 10), packed blocks against
// plain appendable arrays. TSBS cpu rows of 100 hosts (one memtable line per host, as 1,024 vShards give them) are
// appended in 50-row batches per host (a 5,000-line HTTP body's share), then every isolate's collection runs and the
// ArrayBuffer and heap bytes still held are divided by the rows: capacity the arrays reserved counts, as RSS sees it.
// Also the CPU per row of the appends (with the seals) and of reading every row back as one memtable.
// Run: npx tsc -p . && node --expose-gc dist/bench/micro/memtable-bytes.js [--rows 864000] [--unpacked]
import { parseArgs } from 'node:util'
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import type { TableSchema } from '../../engine/ops.js'
import { Memtable } from '../../engine/timeseries/memtable.js'
import { rowsHeldBytes, sealIfFull, wholeMemtable, type BlockedRows } from '../../engine/timeseries/memtable-blocks.js'
import { asTableId } from '../../src/common/ids.js'
import { FIELD_NAMES, TAG_NAMES, cpuRows } from '../tsbs.js'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '864000' }, unpacked: { type: 'boolean', default: false } } })
const ROWS = Number(values.rows)
const HOSTS = 100
const BATCH = 50

const schema: TableSchema = {
  id: asTableId(1), name: 'cpu', timestampIndex: 0,
  columns: [
    { name: 'time', kind: 'timestamp', sqlType: 'timestamptz', notNull: true },
    ...TAG_NAMES.map((name) => ({ name, kind: 'symbol' as const, sqlType: 'text', notNull: false })),
    ...FIELD_NAMES.map((name) => ({ name, kind: 'f64' as const, sqlType: 'float8', notNull: false })),
  ],
}

/** Batches of BATCH rows of one host each, in arrival order (hosts round robin). */
function batchesOf(): Array<{ host: number; batch: ColumnBatch }> {
  const rows = [...cpuRows(ROWS, HOSTS)]
  const out: Array<{ host: number; batch: ColumnBatch }> = []
  for (let start = 0; start < rows.length; start += BATCH * HOSTS) {
    for (let host = 0; host < HOSTS; host++) {
      const mine = rows.slice(start, start + BATCH * HOSTS).filter((_, i) => i % HOSTS === host)
      if (mine.length === 0) continue
      const columns: ColumnVector[] = [{ kind: 'timestamp', values: Float64Array.from(mine, (row) => row.timeMs * 1000) }]
      TAG_NAMES.forEach((_, t) => columns.push({ kind: 'symbol', ids: new Int32Array(mine.length), dict: [mine[0]!.tags[t]!] }))
      FIELD_NAMES.forEach((_, f) => columns.push({ kind: 'f64', values: Float64Array.from(mine, (row) => row.fields[f]!) }))
      out.push({ host, batch: { rowCount: mine.length, columns } })
    }
  }
  return out
}

function held(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  gc()
  gc()
  const usage = process.memoryUsage()
  return usage.arrayBuffers + usage.heapUsed
}

const batches = batchesOf()
const identity = Int32Array.from({ length: BATCH }, (_, i) => i)
const before = held()
const lines: BlockedRows[] = Array.from({ length: HOSTS }, () => ({ memtable: new Memtable(schema), blocks: [], blocksBytes: 0, blocksUnpackedBytes: 0 }))
const cpu0 = process.cpuUsage()
for (const { host, batch } of batches) {
  const line = lines[host]!
  if (values.unpacked !== true) sealIfFull(line, batch.rowCount)
  line.memtable.appendRows(batch, identity, batch.rowCount)
}
const appendCpu = process.cpuUsage(cpu0)
// `batches` is read again below, so it is still held here as it was at `before`.
const after = held()
const counted = lines.reduce((sum, line) => sum + rowsHeldBytes(line), 0)
const cpu1 = process.cpuUsage()
for (const line of lines) wholeMemtable(schema, line)
const readCpu = process.cpuUsage(cpu1)
const perRow = (micros: { user: number; system: number }): string => ((micros.user + micros.system) * 1000 / ROWS).toFixed(0)
process.stdout.write(`${values.unpacked === true ? 'unpacked' : 'packed'}: ${ROWS} rows, held ${((after - before) / ROWS).toFixed(1)} bytes/row ` +
  `(counted ${(counted / ROWS).toFixed(1)}), append ${perRow(appendCpu)} ns/row, whole ${perRow(readCpu)} ns/row, ` +
  `blocks ${lines.reduce((sum, line) => sum + line.blocks.length, 0)}, ${batches.length} batches\n`)
