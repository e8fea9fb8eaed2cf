// bench/micro/copy-parse: CPU per row of COPY FROM's parse alone (CopyRows: the fast path, casts, column builders),
// in this thread, on the bench's TSBS cpu rows in COPY text: what a COPY parse worker spends per row, without a
// server, sockets or the engine. Run: npx tsc -p . && node dist/bench/micro/copy-parse.js [--rows 200000] [--runs 5]
import { parseArgs } from 'node:util'
import { asTableId } from '../../src/common/ids.js'
import { sqlType } from '../../sql/bind/types.js'
import { CopyRows, type BoundCopyFrom } from '../../sql/exec/copy-rows.js'
import { readCopyOptions } from '../../sql/exec/copy-options.js'
import { copyTextChunks } from '../scenarios/copy-ingest.js'
import { FIELD_NAMES, TAG_NAMES, cpuRows } from '../tsbs.js'

/** The bench's cpu table as a COPY FROM STDIN of all its columns binds it. */
export function tsbsBound(): BoundCopyFrom {
  const columns = [
    { name: 'time', kind: 'timestamp' as const, sqlType: 'timestamptz', notNull: true },
    ...TAG_NAMES.map((name) => ({ name, kind: 'symbol' as const, sqlType: 'text', notNull: false })),
    ...FIELD_NAMES.map((name) => ({ name, kind: 'f64' as const, sqlType: 'float8', notNull: false })),
  ]
  const table = { id: asTableId(1), name: 'cpu', columns, timestampIndex: 0 }
  return {
    table, targets: columns.map((_c, i) => i), options: readCopyOptions([], true),
    targetTypes: columns.map((c) => sqlType(c.kind === 'timestamp' ? 'timestamptz' : c.kind === 'symbol' ? 'text' : 'float8')), forceNotNull: columns.map(() => false), forceNull: columns.map(() => false),
  }
}

function main(): void {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '5' } } })
  const rowCount = Number(values.rows)
  const chunks = copyTextChunks(cpuRows(rowCount, 100))
  const bound = tsbsBound()
  for (let run = 0; run < Number(values.runs); run++) {
    const before = process.cpuUsage()
    const rows = new CopyRows(bound, { timeZone: 'UTC', nowUs: 0, settings: new Map() })
    for (const chunk of chunks) rows.push(chunk)
    rows.end()
    const batch = rows.batch()
    const used = process.cpuUsage(before)
    rows.release()
    const seconds = (used.user + used.system) / 1e6
    process.stdout.write(`run ${run}: ${batch.rowCount} rows, ${(seconds / (rowCount / 1e6)).toFixed(3)} CPU s per M rows\n`)
  }
}

if (process.argv[1]?.endsWith('copy-parse.js') === true) main()
