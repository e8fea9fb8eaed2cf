// bench/micro/core-apply: CPU per row of one core's CoreStorage.apply (counting sort by vShard, then the appends into
// the vShards' memtables) for a COPY-sized batch of the bench's TSBS cpu rows, in this thread, without rings or WAL:
// the part of an ingest every core runs for every record (vShardsOf is timed apart). The memtables are kept across
// runs, so later runs append to existing ones as a server's do between flushes.
// Run: npx tsc -p . && node dist/bench/micro/core-apply.js [--rows 50000] [--runs 30]
import { parseArgs } from 'node:util'
import { vShardsOf } from '../../engine/bridge/dispatcher.js'
import { CoreStorage } from '../../engine/core/core-storage.js'
import { asLsn } from '../../src/common/ids.js'
import { CopyRows } from '../../sql/exec/copy-rows.js'
import { copyTextChunks } from '../scenarios/copy-ingest.js'
import { cpuRows } from '../tsbs.js'
import { tsbsBound } from './copy-parse.js'

function cpuMs(): number {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function main(): void {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '50000' }, runs: { type: 'string', default: '30' } } })
  const rowCount = Number(values.rows)
  const bound = tsbsBound()
  const rows = new CopyRows(bound, { timeZone: 'UTC', nowUs: 0, settings: new Map() })
  for (const chunk of copyTextChunks(cpuRows(rowCount, 100))) rows.push(chunk)
  rows.end()
  const batch = rows.batch()
  const storage = new CoreStorage({ coreId: 0, memtableBudgetBytes: 2 ** 40, partitionWidthUs: 86_400_000_000, nowMs: () => 0 })
  storage.registerTable(bound.table)
  const hashNs: number[] = []
  const applyNs: number[] = []
  for (let run = 0; run < Number(values.runs); run++) {
    let started = cpuMs()
    const vShards = vShardsOf(bound.table, batch)
    hashNs.push((cpuMs() - started) / rowCount * 1e6)
    started = cpuMs()
    storage.apply({ tableId: bound.table.id, lsn: asLsn(run + 1), batch, vShards })
    applyNs.push((cpuMs() - started) / rowCount * 1e6)
  }
  process.stdout.write(`${rowCount} rows x ${values.runs} runs: vShardsOf ${median(hashNs).toFixed(0)} ns per row, ` +
    `apply ${median(applyNs).toFixed(0)} ns per row (medians)\n`)
}

main()
