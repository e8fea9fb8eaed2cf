// bench/report/table: every measurement of a run as one markdown table — a row per scenario, a column per system
// with its absolute figure, nodedb's ratio to each peer beside the peer's figure and to the best peer at the end.
// Generic over Measurement: a scenario added to bench/scenarios appears here without a change. A ratio is always
// "how many times better nodedb is" (> 1: nodedb better, whichever way the unit points); a row where a system
// reports a note beside a value (answers that differ from nodedb's, rows lost) is INVALID and gets no ratios.
import type { Measurement } from '../scenarios/index.js'

/** Columns in this order; systems not named here follow in the order they first appear. */
const SYSTEM_ORDER = ['nodedb', 'nodedb-memtable', 'postgres', 'influxdb', 'victoriametrics', 'clickhouse', 'duckdb']

export interface Comparison {
  readonly scenario: string
  readonly unit: string
  readonly bySystem: ReadonlyMap<string, Measurement>
  /** Why the row's ratios do not stand, or null. */
  readonly invalid: string | null
  /** nodedb's ratio to each peer that reported a value (> 1: nodedb better). */
  readonly ratios: ReadonlyMap<string, number>
  readonly best: { readonly system: string; readonly ratio: number } | null
}

/** The bench process's own cost during a load (CLIENT_CPU_UNIT): shown so a reader sees the client is no bottleneck, never a ratio. */
const isClientCost = (unit: string): boolean => unit.startsWith('client ')
const isNodedb = (system: string): boolean => system === 'nodedb' || system.startsWith('nodedb-')
const hasValue = (m: Measurement | undefined): m is Measurement => m !== undefined && m.unit !== 'skipped' && m.value > 0

/** nodedb's figure over the peer's, turned so that > 1 means nodedb is better. */
export function ratio(ours: Measurement, theirs: Measurement): number {
  return ours.higherIsBetter ? ours.value / theirs.value : theirs.value / ours.value
}

function invalidReason(rows: ReadonlyArray<Measurement>): string | null {
  const flagged = rows.find((m) => m.note !== undefined && (m.value > 0 || /answers differ/.test(m.note)))
  return flagged === undefined ? null : `${flagged.system}: ${flagged.note ?? ''}`
}

/** The run's measurements grouped per scenario (first-seen order), with nodedb's ratios. */
export function comparisons(results: ReadonlyArray<Measurement>): Comparison[] {
  const grouped = new Map<string, Measurement[]>()
  for (const m of results) grouped.set(m.scenario, [...(grouped.get(m.scenario) ?? []), m])
  return [...grouped].map(([scenario, rows]) => {
    const bySystem = new Map(rows.map((m) => [m.system, m]))
    const unit = rows.find((m) => m.unit !== 'skipped')?.unit ?? 'skipped'
    const invalid = invalidReason(rows)
    const ours = bySystem.get('nodedb')
    const ratios = new Map<string, number>()
    if (invalid === null && hasValue(ours) && !isClientCost(unit)) {
      for (const m of rows) if (!isNodedb(m.system) && hasValue(m) && m.unit === ours.unit) ratios.set(m.system, ratio(ours, m))
    }
    // The best peer is the one nodedb compares worst against.
    let best: Comparison['best'] = null
    for (const [system, r] of ratios) if (best === null || r < best.ratio) best = { system, ratio: r }
    return { scenario, unit, bySystem, invalid, ratios, best }
  })
}

/** The systems of `results` in column order. */
export function systemsOf(results: ReadonlyArray<Measurement>): string[] {
  const seen = [...new Set(results.map((m) => m.system))]
  const known = SYSTEM_ORDER.filter((s) => seen.includes(s))
  return [...known, ...seen.filter((s) => !known.includes(s))]
}

/** A figure to three significant digits, thousands separated. */
export function figure(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US')
  return value.toPrecision(3)
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export const formatRatio = (r: number): string => `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`

function cell(row: Comparison, system: string): string {
  const m = row.bySystem.get(system)
  if (m === undefined) return '–'
  if (m.unit === 'skipped') return 'skipped'
  if (m.note !== undefined && !(m.value > 0)) return escapeCell(m.note.startsWith('n/a') ? 'n/a (language)' : `error: ${m.note.slice(0, 80)}`)
  if (m.value === 0) return '0'
  let text = figure(m.value)
  if (m.p95 !== undefined && m.p95 > 0) text += ` (p95 ${figure(m.p95)})`
  const r = row.ratios.get(system)
  if (r !== undefined) text += ` · **${formatRatio(r)}**`
  return text
}

function bestCell(row: Comparison): string {
  if (row.invalid !== null) return escapeCell(`INVALID (${row.invalid.slice(0, 100)})`)
  if (isClientCost(row.unit)) return 'the bench client (no ratio)'
  if (row.best === null) return hasValue(row.bySystem.get('nodedb')) ? 'no peer' : 'n/a'
  return `${formatRatio(row.best.ratio)} vs ${row.best.system}${row.best.ratio < 1 ? ' (behind)' : ''}`
}

/** The markdown table: scenario, unit, one column per system (peer cells carry nodedb's ratio), ratio to the best peer. */
export function markdownTable(results: ReadonlyArray<Measurement>): string {
  const systems = systemsOf(results)
  const lines = [
    `| scenario | unit | ${systems.join(' | ')} | nodedb vs best peer |`,
    `|---|---|${systems.map(() => '--:').join('|')}|---|`,
  ]
  for (const row of comparisons(results)) {
    if (row.unit === 'skipped') continue
    lines.push(`| ${row.scenario} | ${row.unit} | ${systems.map((s) => cell(row, s)).join(' | ')} | ${bestCell(row)} |`)
  }
  const skipped = new Map<string, string>()
  for (const m of results) if (m.unit === 'skipped' && m.note !== undefined) skipped.set(m.system, m.note)
  const notes = [...skipped].map(([system, note]) => `- skipped ${system}: ${escapeCell(note)}`)
  return `${lines.join('\n')}\n${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}`
}
