// test/clients/grafana-fixture: nodedb and a real PostgreSQL 15 holding the same rows, and a comparison of what a
// pgx-style client (test/clients/pgx-wire.ts) gets from each, for the Grafana tests (issue 9,
// ../shared/clients.md §1). The rows have gaps (for fill modes), NULL values and a NULL host, epoch-second,
// epoch-nanosecond and fractional epoch-second columns (for the $__unixEpoch* macros), a timestamp without time zone
// one hour ahead of `time`, and one row at a fractional second.
import assert from 'node:assert/strict'
import type { Postgres } from '../helpers/postgres.js'
import type { ServerProcess } from '../helpers/server-process.js'
import { startOraclePair } from './oracle-pair.js'
import { PgxWire, type WireResult } from './pgx-wire.js'

export const GRAFANA_TABLE_DDL = 'CREATE TABLE gcpu (time TIMESTAMPTZ NOT NULL, host TEXT, usage_user DOUBLE PRECISION, ' +
  'usage_system DOUBLE PRECISION, n BIGINT, i INT, epoch_s BIGINT, epoch_ns BIGINT, ts TIMESTAMP, epoch_f DOUBLE PRECISION)'

const START_MS = Date.UTC(2024, 0, 1)
const STEP_MS = 37_000
const ROW_COUNT = 240

function sqlText(value: string | null): string {
  return value === null ? 'NULL' : `'${value}'`
}

/** INSERT statements for the rows: every 37 s from 2024-01-01 00:00 UTC, minus two gaps of several minutes. */
export function grafanaInserts(): string[] {
  const values: string[] = []
  for (let k = 0; k < ROW_COUNT; k += 1) {
    if ((k >= 40 && k < 55) || (k >= 130 && k < 150)) continue
    const ms = START_MS + k * STEP_MS + (k === 7 ? 500 : 0)
    const iso = new Date(ms).toISOString()
    const host = k % 17 === 0 ? null : `h${k % 3}`
    const usage = k % 11 === 0 ? 'NULL' : String(k * 1.25)
    const epochS = Math.floor(ms / 1000)
    const local = new Date(ms + 3_600_000).toISOString().replace('T', ' ').replace('Z', '')
    values.push(`(${sqlText(iso)}, ${sqlText(host)}, ${usage}, ${100 - k * 0.5}, ${k * 1_000_000_007}, ${k - 100}, ` +
      `${epochS}, ${BigInt(ms) * 1_000_000n}, ${sqlText(local)}, ${ms / 1000})`)
  }
  const statements: string[] = []
  for (let start = 0; start < values.length; start += 50) {
    statements.push(`INSERT INTO gcpu VALUES ${values.slice(start, start + 50).join(', ')}`)
  }
  return statements
}

export interface GrafanaPair {
  readonly ours: PgxWire
  readonly theirs: PgxWire
  readonly server: ServerProcess
  readonly postgres: Postgres
  stop(): Promise<void>
}

/** Starts both servers, loads the same table into each, and opens one pgx-style connection to each. */
export async function startGrafanaPair(prefix: string, textOids: ReadonlySet<number>): Promise<GrafanaPair> {
  const { server, postgres, stop } = await startOraclePair(prefix)
  const ours = await PgxWire.connect(server.pgPort, textOids)
  const theirs = await PgxWire.connect(postgres.port, textOids)
  for (const wire of [ours, theirs]) {
    for (const statement of [GRAFANA_TABLE_DDL, ...grafanaInserts()]) {
      const result = await wire.simple(statement)
      assert.equal(result.error, null, `${statement.slice(0, 60)}: ${JSON.stringify(result.error)}`)
    }
  }
  return {
    ours, theirs, server, postgres,
    stop: async () => {
      ours.end()
      theirs.end()
      await stop()
    },
  }
}

function sortedRows(result: WireResult): WireResult {
  return { ...result, rows: [...result.rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }
}

/**
 * Runs `run` against both servers and asserts nodedb's answer is PostgreSQL's: parameter OIDs, field names, type
 * OIDs, sizes, modifiers and formats, every value (raw bytes for binary), the command tag and the message flow.
 * `rowsort` compares rows as a multiset (no ORDER BY in the statement); `minRows` guards against a case that
 * tests nothing; `errorCode` expects both servers to refuse with that SQLSTATE.
 */
export async function assertSameAnswer(pair: GrafanaPair, run: (wire: PgxWire) => Promise<WireResult>,
  options: { readonly rowsort?: boolean; readonly minRows?: number; readonly errorCode?: string } = {}): Promise<WireResult> {
  let theirs = await run(pair.theirs)
  let ours = await run(pair.ours)
  if (options.errorCode !== undefined) {
    assert.equal(theirs.error?.code, options.errorCode, `PostgreSQL: ${JSON.stringify(theirs)}`)
    assert.equal(ours.error?.code, options.errorCode, `nodedb: ${JSON.stringify(ours)}`)
    assert.equal(ours.flow, theirs.flow)
    return ours
  }
  assert.equal(theirs.error, null, `PostgreSQL refused the case: ${JSON.stringify(theirs.error)}`)
  if (options.rowsort === true) {
    theirs = sortedRows(theirs)
    ours = sortedRows(ours)
  }
  assert.deepEqual(ours, theirs)
  assert.ok(theirs.rows.length >= (options.minRows ?? 1), `PostgreSQL returned ${theirs.rows.length} rows: the case tests too little`)
  return ours
}
