// bench/scenarios/tsbs-report: cross-checking the TSBS answers of every system against nodedb's, and the per-query
// table. A ratio only stands when every system answered the same rows — the whole answer for the fixed parameter
// set, row counts and column sums for every varied one: a fast wrong answer is no win.
import type { Cell } from '../peers/query-engines.js'
import type { Measurement } from './index.js'

/** One system's timings of one query, or its error. `answer` is the result for the fixed parameter set. */
export interface QueryRun {
  readonly system: string
  readonly query: string
  readonly medianMs: number
  readonly p95Ms: number
  readonly runs: number
  readonly error: string | null
  readonly answer: Cell[][] | null
  /** The varied runs' answers in brief, by parameter set (1..runs); the same sets on every system. */
  readonly fingerprints: ReadonlyMap<number, Fingerprint>
  /** The system's language cannot express the query (`error` says why): shown as n/a, not as a failure. */
  readonly unsupported: boolean
}

const RELATIVE_TOLERANCE = 1e-6

function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a) < String(b) ? -1 : 1
}

function sortedRows(rows: Cell[][]): Cell[][] {
  return [...rows].sort((x, y) => {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const order = compareCells(x[i] ?? null, y[i] ?? null)
      if (order !== 0) return order
    }
    return x.length - y.length
  })
}

function sameCell(a: Cell, b: Cell): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return true
    return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-12)
  }
  return a === b
}

/** Null when `got` equals `want` (rows sorted by their leading group keys, floats to 1e-6 relative), else why not. */
export function answerDifference(want: Cell[][], got: Cell[][]): string | null {
  if (want.length !== got.length) return `${got.length} rows, nodedb has ${want.length}`
  const [a, b] = [sortedRows(want), sortedRows(got)]
  for (let r = 0; r < a.length; r++) {
    const [x, y] = [a[r] ?? [], b[r] ?? []]
    if (x.length !== y.length) return `row ${r}: ${y.length} columns, nodedb has ${x.length}`
    for (let c = 0; c < x.length; c++) {
      if (!sameCell(x[c] ?? null, y[c] ?? null)) return `row ${r} column ${c + 1}: ${String(y[c])}, nodedb has ${String(x[c])}`
    }
  }
  return null
}

/** An answer in brief, whatever its row order: its row count and the sum of each all-numeric column. */
export interface Fingerprint { readonly rows: number; readonly sums: ReadonlyArray<number | null> }

export function fingerprint(rows: ReadonlyArray<ReadonlyArray<Cell>>): Fingerprint {
  const width = rows.reduce((most, row) => Math.max(most, row.length), 0)
  const sums = Array.from({ length: width }, (_, c) => {
    let sum = 0
    for (const row of rows) {
      const value = row[c] ?? null
      if (typeof value === 'string') return null
      sum += value ?? 0
    }
    return sum
  })
  return { rows: rows.length, sums }
}

/** Null when the two fingerprints agree (sums to 1e-6 relative), else why not. */
function fingerprintDifference(want: Fingerprint, got: Fingerprint): string | null {
  if (want.rows !== got.rows) return `${got.rows} rows, nodedb has ${want.rows}`
  for (let c = 0; c < Math.max(want.sums.length, got.sums.length); c++) {
    const [a, b] = [want.sums[c] ?? null, got.sums[c] ?? null]
    if (a !== null && b !== null && !sameCell(a, b)) return `column ${c + 1} sums to ${b}, nodedb's to ${a}`
  }
  return null
}

/** The first varied parameter set on which `run`'s answer differs from `reference`'s, or null. */
function variedDifference(reference: QueryRun, run: QueryRun): string | null {
  for (const [paramSet, want] of reference.fingerprints) {
    const got = run.fingerprints.get(paramSet)
    const difference = got === undefined ? null : fingerprintDifference(want, got)
    if (difference !== null) return `parameter set ${paramSet}: ${difference}`
  }
  return null
}

export interface QueryVerdict {
  readonly query: string
  /** `system: why` for each answer that differs from nodedb's (segments). */
  readonly mismatches: ReadonlyArray<string>
  readonly fastestPeer: QueryRun | null
}

/** Compares every answer with nodedb's (after CHECKPOINT; the memtable answer too) and finds the fastest peer. */
export function verdicts(runs: ReadonlyArray<QueryRun>, queries: ReadonlyArray<string>): QueryVerdict[] {
  return queries.map((query) => {
    const mine = runs.filter((r) => r.query === query)
    const reference = mine.find((r) => r.system === 'nodedb')
    const mismatches: string[] = []
    for (const run of mine) {
      if (run === reference || run.answer === null || reference?.answer === null || reference === undefined) continue
      const difference = answerDifference(reference.answer, run.answer) ?? variedDifference(reference, run)
      if (difference !== null) mismatches.push(`${run.system}: ${difference}`)
    }
    const peers = mine.filter((r) => !r.system.startsWith('nodedb') && r.error === null)
    const fastestPeer = peers.reduce<QueryRun | null>((best, r) => best === null || r.medianMs < best.medianMs ? r : best, null)
    return { query, mismatches, fastestPeer }
  })
}

function cell(run: QueryRun | undefined, skipped: ReadonlyMap<string, string>, system: string): string {
  if (run === undefined) return skipped.has(system) ? 'skipped' : '-'
  if (run.unsupported) return 'n/a (language)'
  if (run.error !== null) return `ERROR ${run.error.slice(0, 60)}`
  return `${run.medianMs.toFixed(1)} (p95 ${run.p95Ms.toFixed(1)})`
}

function ratio(verdict: QueryVerdict, ours: QueryRun | undefined): string {
  if (verdict.mismatches.length > 0) return 'INVALID (answers differ)'
  if (ours === undefined || ours.error !== null) return 'n/a (nodedb failed)'
  if (verdict.fastestPeer === null) return 'n/a (no peer)'
  // Turned as the summary table is (> 1: nodedb answers faster), so the two never read opposite ways.
  const r = verdict.fastestPeer.medianMs / ours.medianMs
  return `${r.toFixed(2)}× vs ${verdict.fastestPeer.system}${r < 1 ? ' (behind)' : ''}`
}

export const TABLE_SYSTEMS = ['nodedb-memtable', 'nodedb', 'postgres', 'influxdb', 'victoriametrics', 'duckdb', 'clickhouse'] as const

/** The per-query table (medians and p95 in ms), the MISMATCH lines, and the skipped peers with their reasons. */
export function formatQueryTable(runs: ReadonlyArray<QueryRun>, queries: ReadonlyArray<string>, skipped: ReadonlyMap<string, string>): string {
  const headers = ['query', 'nodedb memtable ms', 'nodedb segments ms', 'postgres ms', 'influxdb ms', 'victoriametrics ms', 'duckdb ms',
    'clickhouse ms', 'nodedb(segments) vs fastest peer (> 1 = ahead)']
  const lines: string[][] = [headers]
  const all = verdicts(runs, queries)
  for (const verdict of all) {
    const of = (system: string): QueryRun | undefined => runs.find((r) => r.query === verdict.query && r.system === system)
    lines.push([verdict.query, ...TABLE_SYSTEMS.map((s) => cell(of(s), skipped, s)), ratio(verdict, of('nodedb'))])
  }
  const widths = headers.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)))
  const text = lines.map((l) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ').trimEnd())
  text.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const verdict of all) for (const m of verdict.mismatches) text.push(`!!! MISMATCH ${verdict.query}: ${m}`)
  for (const run of runs) if (run.unsupported) text.push(`n/a ${run.system} ${run.query}: ${run.error ?? ''}`)
  for (const [system, reason] of skipped) text.push(`skipped ${system}: ${reason}`)
  return `${text.join('\n')}\n`
}

/** The runs as the bench's measurements (median ms; p95, runs and errors alongside in the JSON). */
export function runMeasurements(runs: ReadonlyArray<QueryRun>, queries: ReadonlyArray<string>): Measurement[] {
  const invalid = new Set(verdicts(runs, queries).filter((v) => v.mismatches.length > 0).map((v) => v.query))
  return runs.map((r) => ({
    scenario: `tsbs/${r.query}`, system: r.system, value: r.error === null ? r.medianMs : 0, unit: 'ms', higherIsBetter: false,
    p95: r.p95Ms, runs: r.runs,
    note: r.unsupported ? `n/a (language): ${r.error ?? ''}` : r.error ?? (invalid.has(r.query) ? 'answers differ: ratio invalid' : undefined),
  }))
}
